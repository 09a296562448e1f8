"""Mission elapsed time, in-plane launch opportunities and the phase angle at orbit insertion.

A crewed Soyuz lifts off when the pad turns under the ISS orbital plane. The plane offset is the
angle between the pad (seen from the Earth's centre) and that plane, ``asin(s . h)`` with ``s``
the pad's unit vector and ``h`` the orbit normal ``r x v``; an in-plane instant is a zero of it.
Of the two crossings a day, the *ascending* one is where the orbit passes the pad heading north,
the side a north-east launch uses.

The phase angle is measured in the orbital plane, in the direction of motion, from the insertion
point to the ISS. The insertion point is the pad's projection into the plane at the insertion
instant, moved downrange by ``downrange_deg``: an approximation of the ascent (about 14 deg, some
1,600 km, for a Soyuz-2.1a at spacecraft separation), stated as such in every output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .elements import Catalogue
from .ephemeris import earth_orientation, geodetic_to_itrs, itrs_to_teme
from .errors import SimError
from .times import DAY_S, TimeGrid, datetime_to_jd, jd_iso, jd_to_iso, parse_utc

DEFAULT_INSERTION_S = 529.0
DEFAULT_DOWNRANGE_DEG = 14.0


def met_s(launch_jd: float, jd) -> np.ndarray:
    """Mission elapsed time (s) of UTC Julian dates since the launch."""
    return (np.asarray(jd, dtype=float) - launch_jd) * DAY_S


@dataclass(frozen=True)
class Site:
    name: str
    lat_deg: float
    lon_deg: float

    def __post_init__(self):
        if not -90.0 <= self.lat_deg <= 90.0:
            raise SimError(f"site {self.name!r}: latitude {self.lat_deg!r} is outside -90..90")
        if not -180.0 <= self.lon_deg <= 360.0:
            raise SimError(f"site {self.name!r}: longitude {self.lon_deg!r} is outside -180..360")

    @classmethod
    def parse(cls, text: str, name: str | None = None) -> Site:
        parts = text.split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise SimError(f"--site {text!r}: expected LAT,LON in degrees") from None
        return cls(name or f"{lat:.4f}°, {lon:.4f}°", lat, lon)


def _geometry(catalogue: Catalogue, site: Site, whole, fraction):
    """Unit vectors (N, 3) in TEME: site, orbit normal, ISS position; and error codes."""
    whole = np.atleast_1d(np.asarray(whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
    r, v, err = catalogue.teme(whole, fraction)
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=1)[:, None]
    theta, _, xp, yp = earth_orientation(whole, fraction)
    s_itrs = np.broadcast_to(geodetic_to_itrs(site.lat_deg, site.lon_deg), (whole.size, 3))
    s = itrs_to_teme(np.ascontiguousarray(s_itrs), theta, xp, yp)  # pad in ITRS, with the pole
    s /= np.linalg.norm(s, axis=1)[:, None]
    return s, h, r / np.linalg.norm(r, axis=1)[:, None], err


def plane_offset_deg(catalogue: Catalogue, site: Site, whole, fraction) -> np.ndarray:
    """Signed angle (deg) between the site and the orbital plane (positive: on the side of h)."""
    s, h, _, _ = _geometry(catalogue, site, whole, fraction)
    return np.degrees(np.arcsin(np.clip(np.einsum("ij,ij->i", s, h), -1.0, 1.0)))


def _ascending(s, h):
    """True where the orbit passes the site heading north (motion h x s has a north part)."""
    z = np.array([0.0, 0.0, 1.0])
    north = z - s * (s @ z)[:, None]
    return np.einsum("ij,ij->i", np.cross(h, s), north) > 0


def phase_angle_deg(
    catalogue: Catalogue, site: Site, insertion_jd, downrange_deg: float = DEFAULT_DOWNRANGE_DEG
) -> np.ndarray:
    """Angle (deg, 0..360) along the orbit from the insertion point to the ISS at insertion.

    Small positive values: the ISS is just ahead, a short chase; values near 360: the ISS is
    just behind, the longest chase.
    """
    jd = np.atleast_1d(np.asarray(insertion_jd, dtype=float))
    whole = np.floor(jd)
    s, h, r_hat, _ = _geometry(catalogue, site, whole, jd - whole)
    p = s - h * np.einsum("ij,ij->i", s, h)[:, None]
    p /= np.linalg.norm(p, axis=1)[:, None]
    d = math.radians(downrange_deg)
    p = p * math.cos(d) + np.cross(h, p) * math.sin(d)
    sin_phase = np.einsum("ij,ij->i", np.cross(p, r_hat), h)
    cos_phase = np.einsum("ij,ij->i", p, r_hat)
    return np.degrees(np.arctan2(sin_phase, cos_phase)) % 360.0


@dataclass
class Opportunity:
    """One in-plane instant of the site, and the phase angle for a launch at that instant."""

    in_plane_jd: float
    ascending: bool
    phase_deg: float  #: at in_plane + insertion_s

    def to_dict(self) -> dict:
        w = math.floor(self.in_plane_jd)
        return {
            "in_plane_utc": jd_to_iso(w, self.in_plane_jd - w, 1),
            "ascending": self.ascending,
            "phase_at_insertion_deg": round(self.phase_deg, 2),
        }


@dataclass
class LaunchAssessment:
    """An actual lift-off against the nearest ascending in-plane instant."""

    name: str
    launch_jd: float
    plane_offset_deg: float
    in_plane_jd: float
    lead_s: float  #: in-plane instant minus lift-off (positive: launched before it)
    phase_deg: float  #: at lift-off + insertion_s

    def to_dict(self) -> dict:
        def iso(jd):
            w = math.floor(jd)
            return jd_to_iso(w, jd - w, 3)

        return {
            "name": self.name,
            "launch_utc": iso(self.launch_jd),
            "plane_offset_deg": round(self.plane_offset_deg, 4),
            "in_plane_utc": iso(self.in_plane_jd),
            "lead_s": round(self.lead_s, 1),
            "phase_at_insertion_deg": round(self.phase_deg, 2),
        }


def in_plane_opportunities(
    catalogue: Catalogue,
    site: Site,
    start,
    end,
    *,
    ascending_only: bool = True,
    insertion_s: float = DEFAULT_INSERTION_S,
    downrange_deg: float = DEFAULT_DOWNRANGE_DEG,
    step_s: float = 60.0,
) -> list[Opportunity]:
    """Every instant between ``start`` and ``end`` when the site crosses the orbital plane
    (ascending side only, unless ``ascending_only`` is false), to 0.01 s."""
    grid = TimeGrid.span(start, end, step_s)
    s, h, _, _ = _geometry(catalogue, site, grid.whole, grid.fraction)
    f = np.einsum("ij,ij->i", s, h)
    idx = np.nonzero(np.sign(f[:-1]) != np.sign(f[1:]))[0]
    if idx.size == 0:
        return []
    w0 = grid.whole[0]
    lo = (grid.whole[idx] - w0) + grid.fraction[idx]
    hi = (grid.whole[idx + 1] - w0) + grid.fraction[idx + 1]
    f_lo = f[idx]

    def g(days):
        si, hi_, _, _ = _geometry(catalogue, site, np.full(days.size, w0), days)
        return np.einsum("ij,ij->i", si, hi_)

    while np.max(hi - lo) * DAY_S > 0.01:
        mid = 0.5 * (lo + hi)
        same = np.sign(g(mid)) == np.sign(f_lo)
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    days = 0.5 * (lo + hi)
    s_c, h_c, _, _ = _geometry(catalogue, site, np.full(days.size, w0), days)
    asc = _ascending(s_c, h_c)
    jd = w0 + days
    phase = phase_angle_deg(catalogue, site, jd + insertion_s / DAY_S, downrange_deg)
    out = [Opportunity(float(j), bool(a), float(p)) for j, a, p in zip(jd, asc, phase, strict=True)]
    return [o for o in out if o.ascending or not ascending_only]


def assess_launch(
    catalogue: Catalogue,
    site: Site,
    launch_time,
    name: str = "launch",
    *,
    insertion_s: float = DEFAULT_INSERTION_S,
    downrange_deg: float = DEFAULT_DOWNRANGE_DEG,
) -> LaunchAssessment:
    """Plane offset at lift-off, the nearest ascending in-plane instant, the lead, the phase."""
    w, f = datetime_to_jd(parse_utc(launch_time, name))
    launch_jd = w + f
    offset = float(plane_offset_deg(catalogue, site, w, f)[0])
    span = 0.75  # days either side: always holds the nearest ascending crossing
    opps = in_plane_opportunities(
        catalogue,
        site,
        jd_iso(launch_jd - span),
        jd_iso(launch_jd + span),
        insertion_s=insertion_s,
        downrange_deg=downrange_deg,
    )
    if not opps:
        raise SimError(
            f"{name}: the site never crosses the orbital plane near the launch "
            "(its latitude exceeds the inclination)"
        )
    nearest = min(opps, key=lambda o: abs(o.in_plane_jd - launch_jd))
    phase = float(
        phase_angle_deg(catalogue, site, launch_jd + insertion_s / DAY_S, downrange_deg)[0]
    )
    return LaunchAssessment(
        name,
        launch_jd,
        offset,
        nearest.in_plane_jd,
        (nearest.in_plane_jd - launch_jd) * DAY_S,
        phase,
    )


WINDOW_NOTE = (
    "In-plane instants: the pad crosses the ISS orbital plane on the ascending side (the orbit "
    "passes heading north, as a north-east launch needs). Phase angle: along the orbit from the "
    "insertion point to the ISS at lift-off + insertion_s; the insertion point is the pad's "
    "projection into the plane moved downrange by downrange_deg, an approximation of the ascent."
)


@dataclass
class LaunchWindow:
    """Everything the launch-window table and plot show."""

    site: Site
    opportunities: list[Opportunity]
    assessments: list[LaunchAssessment]
    curves: dict  #: assessment name -> (minutes from lift-off, plane offset deg)
    insertion_s: float
    downrange_deg: float

    def to_dict(self) -> dict:
        out = {
            "site": {
                "name": self.site.name,
                "lat_deg": self.site.lat_deg,
                "lon_deg": self.site.lon_deg,
            },
            "insertion_s": self.insertion_s,
            "downrange_deg": self.downrange_deg,
            "note": WINDOW_NOTE,
            "opportunities": [o.to_dict() for o in self.opportunities],
        }
        if self.assessments:
            out["launches"] = [a.to_dict() for a in self.assessments]
        return out


def launch_window(
    catalogue: Catalogue,
    site: Site,
    start,
    end,
    launches=(),
    *,
    insertion_s: float = DEFAULT_INSERTION_S,
    downrange_deg: float = DEFAULT_DOWNRANGE_DEG,
) -> LaunchWindow:
    """Daily ascending opportunities between ``start`` and ``end`` and an assessment of each
    ``(name, time)`` in ``launches``, with the plane offset 30 min either side of it."""
    opps = in_plane_opportunities(
        catalogue, site, start, end, insertion_s=insertion_s, downrange_deg=downrange_deg
    )
    assessments, curves = [], {}
    for name, when in launches:
        a = assess_launch(
            catalogue, site, when, name, insertion_s=insertion_s, downrange_deg=downrange_deg
        )
        assessments.append(a)
        minutes = np.arange(-30.0, 30.01, 0.5)
        jd = a.launch_jd + minutes / 1440.0
        w = np.floor(jd)
        curves[name] = (minutes, plane_offset_deg(catalogue, site, w, jd - w))
    return LaunchWindow(site, opps, assessments, curves, insertion_s, downrange_deg)
