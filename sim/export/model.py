"""What every export needs to know about the modelled Soyuz legs: which trajectories are
modelled, their burns and where those are in the samples, and the words that say MODEL.

A leg's samples hold every burn instant more than once (the state just before the impulse, then
the state after it), so :func:`unique_rows` keeps each instant once (the one after the burn:
positions are the same) and :func:`pieces` splits a leg there, for formats whose readers must
never interpolate across an impulse (OEM)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..results import Trajectory
from ..times import DAY_S, datetime_to_jd, parse_utc

#: two samples closer than this (s) are the same instant (a burn: before and after)
SAME_INSTANT_S = 1e-6

#: leg colours (RGB), the same as the modelled-leg line styles of ``sim/plots/style.py``
#: (LEG_STYLES), which exports may not import (one-way layers)
LEG_RGB = {
    "ascent": (214, 39, 40),
    "free flight": (148, 103, 189),
    "return": (140, 86, 75),
    "model": (148, 103, 189),
}
#: the burn marker colour of ``sim/plots/style.py`` MARKERS["burn"]
BURN_RGB = (255, 127, 14)

MODEL_NOTE = (
    "MODEL: no element set of this spacecraft is available; the trajectory is computed from "
    "published times and places and physics (see docs/soyuz-model.md)"
)


@dataclass
class ModelledLeg:
    """A modelled trajectory of a replay with its flight-model leg (burns, facts)."""

    trajectory: Trajectory
    leg: object = None  #: sim.flight.Leg of the same name, when the replay kept the flight
    burns: list = field(default_factory=list)  #: (Burn, row of the first sample at its instant)

    @property
    def slug(self) -> str:
        return leg_slug(self.trajectory)

    @property
    def ephemeris(self):
        return self.trajectory.ephemeris

    @property
    def assumptions(self) -> list[str]:
        return list(self.trajectory.assumptions)

    def rgb(self) -> tuple[int, int, int]:
        low = self.trajectory.name.lower()
        return next((c for k, c in LEG_RGB.items() if k in low), LEG_RGB["model"])


def leg_slug(trajectory) -> str:
    """File-name form of a leg's name (``Soyuz MS-25 free flight`` -> ``soyuz-ms-25-free-flight``),
    by the one slug rule, :func:`sim.names.slug`."""
    from ..names import slug

    return slug(trajectory.name)


def modelled_legs(results) -> list[ModelledLeg]:
    """Every modelled trajectory in the replay's order, with its burns located in its samples."""
    legs = {} if results.flight is None else {leg.name: leg for leg in results.flight.legs}
    out = []
    for tr in results.trajectories.values():
        if not tr.modelled:
            continue
        leg = legs.get(tr.name)
        burns = []
        if leg is not None:
            jd = tr.ephemeris.times.jd
            for b in leg.burns:
                w, f = datetime_to_jd(parse_utc(b.utc, f"{leg.name} burn {b.name}"))
                k = int(np.argmin(np.abs((jd - w) - f)))
                burns.append((b, first_of_instant(tr.ephemeris, k)))
        out.append(ModelledLeg(tr, leg, burns))
    return out


def _same_as_next(eph) -> np.ndarray:
    """True at row i where row i+1 is the same instant."""
    t = eph.times
    return np.abs(np.diff(t.whole) + np.diff(t.fraction)) * DAY_S < SAME_INSTANT_S


def first_of_instant(eph, row: int) -> int:
    """The first row of the group of samples at the instant of ``row``."""
    same = _same_as_next(eph)
    while row > 0 and same[row - 1]:
        row -= 1
    return row


def unique_rows(eph) -> np.ndarray:
    """Rows with strictly increasing times: of the samples at one instant the last (after the
    burn) is kept."""
    same = _same_as_next(eph)
    return np.flatnonzero(np.append(~same, True))


def pieces(eph) -> list[np.ndarray]:
    """Rows of the pieces of a leg between its repeated instants (burns, changes of the force
    model): a piece ends with the first sample of such an instant (before the impulse) and the
    next starts with the last (after it); within a piece times increase strictly."""
    same = _same_as_next(eph)
    n = len(eph)
    out, start, i = [], 0, 0
    while i < n - 1:
        if same[i]:
            out.append(np.arange(start, i + 1))
            j = i
            while j < n - 1 and same[j]:
                j += 1
            start = i = j
        else:
            i += 1
    out.append(np.arange(start, n))
    return [rows for rows in out if rows.size]


def burn_text(burn) -> str:
    """One line on a burn: name, size, orbit after it, and how it was found."""
    return (
        f"{burn.name} (MODEL) at {burn.utc}: {burn.dv_m_s:.2f} m/s, orbit {burn.orbit}, "
        f"then {burn.perigee_km:.0f} x {burn.apogee_km:.0f} km; {burn.how}"
    )


FORCES_NOTE = (
    "forces of the model: WGS72 gravity with J2, J3, J4; drag in the CIRA-72 exponential "
    "atmosphere co-rotating with the Earth; for the return's entry also constant mean lift, then "
    "a parachute; burns impulsive; TEME treated as inertial (docs/soyuz-model.md)"
)
