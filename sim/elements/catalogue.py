"""The switching Catalogue: which element set is in force at an instant, its age, the jumps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import TimeSpanError, TLEError
from ..times import jd_to_iso
from . import trust
from .tle import SWITCH_RULES, ElementSet

# --------------------------------------------------------------------------------------------
# Catalogue


def _jd_iso(jd: float) -> str:
    return trust._iso(float(jd))


def trust_reason(code: int) -> str:
    from sgp4.api import SGP4_ERRORS

    return SGP4_ERRORS.get(code, f"error {code}")


@dataclass(frozen=True)
class Switch:
    """The instant the set in force changes, and how far the two sets disagree there."""

    jd: float  #: whole + fraction Julian date (UTC) of the switch
    from_index: int
    to_index: int
    jump_km: float  #: |r_old - r_new| at the switch instant

    @property
    def iso(self) -> str:
        return jd_to_iso(math.floor(self.jd), self.jd - math.floor(self.jd), 0)


class Catalogue:
    """Time-ordered element sets of one object and the rule for which set is in force.

    Rules: ``epoch`` (the latest set at or before the instant, as an operator knew it then;
    before the first set, the first), ``midpoint`` (switch halfway between epochs), ``nearest``
    (the set with the closest epoch; the same switch instants as ``midpoint``, kept as its own
    name because users ask for it by that name).

    Trust (:mod:`sim.elements.trust`, one rule for every command): instants more than
    ``max_age_days`` from the set in force are warned about (:meth:`age_warnings`); more than
    ``max_extrapolation_days`` away, outside DE421's range, or where SGP4 gives a state no orbit
    has, :meth:`teme` refuses with a :class:`~sim.errors.TimeSpanError`.
    """

    def __init__(
        self,
        sets,
        rule: str = "epoch",
        max_age_days: float = 3.0,
        report=None,
        max_extrapolation_days: float = trust.MAX_EXTRAPOLATION_DAYS,
    ):
        for label, value in (
            ("max_age_days", max_age_days),
            ("max_extrapolation_days", max_extrapolation_days),
        ):
            if not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise TimeSpanError(f"{label} = {value!r}: expected a positive number of days")
        if rule not in SWITCH_RULES:
            raise TLEError(f"switch rule {rule!r} is unknown; expected one of {SWITCH_RULES}")
        if not sets:
            raise TLEError("a catalogue needs at least one element set")
        self.sets: list[ElementSet] = sorted(sets, key=lambda s: s.epoch)
        norads = {s.norad_id for s in self.sets}
        if len(norads) > 1:
            raise TLEError(f"a catalogue holds one object; found NORAD {sorted(norads)}")
        self.rule = rule
        self.max_age_days = max_age_days
        self.max_extrapolation_days = max_extrapolation_days
        self.report = report
        self.epochs = np.array([s.epoch for s in self.sets])

    def __len__(self) -> int:
        return len(self.sets)

    def __repr__(self) -> str:
        first, last = self.sets[0], self.sets[-1]
        name = f" {first.name}" if first.name else ""
        return (
            f"<Catalogue NORAD {self.norad_id}{name}: {len(self)} element sets, epochs "
            f"{first.epoch_iso} to {last.epoch_iso}; rule {self.rule!r}>"
        )

    @property
    def norad_id(self) -> int:
        return self.sets[0].norad_id

    def boundaries(self) -> np.ndarray:
        """Julian dates at which set i+1 takes over from set i."""
        if self.rule == "epoch":
            return self.epochs[1:]
        return 0.5 * (self.epochs[:-1] + self.epochs[1:])

    def index_at(self, whole, fraction=0.0) -> np.ndarray:
        """Index of the set in force at each instant (array of ints)."""
        jd = np.asarray(whole, dtype=float) + np.asarray(fraction, dtype=float)
        return np.searchsorted(self.boundaries(), jd, side="right")

    def age_hours(self, whole, fraction=0.0, index=None) -> np.ndarray:
        """Signed age of the set in force, hours (negative: the set's epoch lies ahead)."""
        whole = np.asarray(whole, dtype=float)
        fraction = np.asarray(fraction, dtype=float)
        if index is None:
            index = self.index_at(whole, fraction)
        epoch_whole = np.array([s.epoch_jd for s in self.sets])[index]
        epoch_frac = np.array([s.epoch_fraction for s in self.sets])[index]
        return ((whole - epoch_whole) + (fraction - epoch_frac)) * 24.0

    def teme(self, whole, fraction, index=None):
        """TEME position and velocity (km, km/s, shape (N, 3)) and SGP4 error codes.

        One ``sgp4_array`` call per element-set segment. Refuses (``TimeSpanError``) instants
        the element sets cannot support (see :meth:`check_span`) and states no orbit has; below
        80 km the object has re-entered: those rows become failures (code 6) like SGP4's own.
        """
        whole = np.atleast_1d(np.asarray(whole, dtype=float))
        fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
        if whole.size and fraction.size:
            self.check_span(whole, fraction)
        if index is None:
            index = self.index_at(whole, fraction)
        r = np.empty((whole.size, 3))
        v = np.empty((whole.size, 3))
        err = np.zeros(whole.size, dtype=np.uint8)
        if whole.size == 0:
            groups = []
        elif np.all(index == index.flat[0]):
            groups = [(int(index.flat[0]), slice(None))]
        else:
            groups = [(int(k), np.nonzero(index == k)[0]) for k in np.unique(index)]
        for k, sel in groups:
            e, rr, vv = self.sets[k].satrec.sgp4_array(whole[sel], fraction[sel])
            r[sel] = rr
            v[sel] = vv
            err[sel] = e
        self.check_states(whole, fraction, index, r, v, err)
        return r, v, err

    def check_span(self, whole, fraction) -> None:
        """Refuse instants that are not finite, outside DE421's range, or farther than
        ``max_extrapolation_days`` from the set in force, naming the span and the set."""
        whole, fraction = np.broadcast_arrays(
            np.asarray(whole, dtype=float), np.asarray(fraction, dtype=float)
        )
        jd = whole + fraction
        trust.check_instants(float(np.min(jd)), float(np.max(jd)))
        index = self.index_at(whole, fraction)
        age_d = self.age_hours(whole, fraction, index) / 24.0
        far = np.abs(age_d) > self.max_extrapolation_days
        if not far.any():
            return
        where = np.nonzero(far)[0]
        worst = where[np.argmax(np.abs(age_d[where]))]
        used = self.sets[int(index[worst])]
        nearest = self.sets[int(np.argmin(np.abs(self.epochs - jd.flat[worst])))]
        span = f"{_jd_iso(jd.flat[where[0]])} to {_jd_iso(jd.flat[where[-1]])}"
        if where.size == 1:
            span = _jd_iso(jd.flat[where[0]])
        extra = ""
        if nearest is not used:
            extra = (
                f"; the nearest set is {nearest.epoch_iso} ({nearest.where}), which the "
                "'nearest' switch rule uses"
            )
        raise TimeSpanError(
            f"{span} lies up to {abs(age_d[worst]):.1f} days from the element set in force "
            f"(epoch {used.epoch_iso}, {used.where}), beyond the limit of "
            f"{self.max_extrapolation_days:g} days: SGP4 is fiction that far{extra}; add element "
            "sets for that time or raise max_extrapolation_days (--max-extrapolation-days)"
        )

    def check_states(self, whole, fraction, index, r, v, err) -> None:
        """States SGP4 returned with error code 0 that no orbiting object has: refused, or
        below 80 km (re-entered) turned into failures with NaN rows."""
        good = err == 0
        if not good.any():
            if whole.size > 1:  # a whole span without one good instant is not "no passes"
                reasons = sorted({trust_reason(int(c)) for c in np.unique(err)})
                used = self.sets[int(index[0])]
                raise TimeSpanError(
                    f"{_jd_iso(whole[0] + fraction[0])} to {_jd_iso(whole[-1] + fraction[-1])}: "
                    f"SGP4 fails at every instant ({'; '.join(reasons)}) with the element set "
                    f"of epoch {used.epoch_iso} ({used.where}); nothing there can be computed"
                )
            return
        radius = np.sqrt(np.einsum("ij,ij->i", r, r))
        speed = np.sqrt(np.einsum("ij,ij->i", v, v))
        with np.errstate(invalid="ignore"):
            absurd = good & ~((radius <= trust.MAX_RADIUS_KM) & (speed <= trust.MAX_SPEED_KM_S))
            low = good & ~absurd & (radius < trust.MIN_RADIUS_KM)
        if absurd.any():
            k = int(np.nonzero(absurd)[0][0])
            used = self.sets[int(index[k])]
            raise TimeSpanError(
                f"{_jd_iso(whole[k] + fraction[k])}: SGP4 returned a state no orbit has "
                f"(distance {radius[k]:.4g} km, speed {speed[k]:.4g} km/s) with the element set "
                f"of epoch {used.epoch_iso} ({used.where}), although it reported no error; "
                "that instant is too far from the set or the set is broken"
            )
        if low.any():
            r[low] = np.nan
            v[low] = np.nan
            err[low] = trust.DECAYED

    def switches(self) -> list[Switch]:
        """Every change of set with the position jump (km) at the switch instant."""
        out = []
        for i, jd in enumerate(self.boundaries()):
            whole = math.floor(jd)
            frac = jd - whole
            r_old = self.sets[i].satrec.sgp4(whole, frac)[1]
            r_new = self.sets[i + 1].satrec.sgp4(whole, frac)[1]
            jump = float(np.linalg.norm(np.subtract(r_old, r_new)))
            out.append(Switch(jd=float(jd), from_index=i, to_index=i + 1, jump_km=jump))
        return out

    def consistency_km(self) -> list[float]:
        """For each set but the last: its position error at the next set's epoch, km.

        The next set is taken as the truth there; this is how far propagating forward drifts.
        """
        out = []
        for a, b in zip(self.sets[:-1], self.sets[1:], strict=True):
            ra = a.satrec.sgp4(b.epoch_jd, b.epoch_fraction)[1]
            rb = b.satrec.sgp4(b.epoch_jd, b.epoch_fraction)[1]
            out.append(float(np.linalg.norm(np.subtract(ra, rb))))
        return out

    def span_warnings(self, start, end, step_s: float = 60.0) -> list[str]:
        """:meth:`age_warnings` for a span given as ISO strings or datetimes (sampled every
        ``step_s``), after :meth:`check_span` refused what cannot be supported."""
        from ..times import TimeGrid

        grid = TimeGrid.span(start, end, step_s)
        self.check_span(grid.whole, grid.fraction)
        return self.age_warnings(grid.whole, grid.fraction)

    def age_warnings(self, whole, fraction) -> list[str]:
        """One message per stretch where the set in force is older than ``max_age_days``."""
        age_h = np.atleast_1d(self.age_hours(whole, fraction))
        whole = np.asarray(whole, dtype=float) * np.ones_like(age_h)
        fraction = np.asarray(fraction, dtype=float) * np.ones_like(age_h)
        far = np.abs(age_h) > self.max_age_days * 24.0
        if not far.any():
            return []
        edges = np.diff(np.concatenate([[0], far.astype(np.int8), [0]]))
        starts = np.nonzero(edges == 1)[0]
        ends = np.nonzero(edges == -1)[0] - 1
        out = []
        for a, b in zip(starts, ends, strict=True):
            worst = float(np.max(np.abs(age_h[a : b + 1]))) / 24.0
            direction = "backwards" if age_h[a] < 0 else "forwards"
            out.append(
                f"element set {worst:.1f} days old (limit {self.max_age_days:g}) from "
                f"{jd_to_iso(whole[a], fraction[a], 0)} to {jd_to_iso(whole[b], fraction[b], 0)}; "
                f"positions there are propagated {direction} and approximate"
            )
        return out
