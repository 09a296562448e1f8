"""Ground stations, pass search, naked-eye visibility and an estimated brightness.

The search samples elevation on a coarse grid (120 s by default) for all stations at once, then
refines every local maximum of (elevation - mask) by a vectorised 16-point search, so a grazing
pass that clears the mask for a few seconds between two samples is still found; rise and set are
found to 0.005 s the same way. Passes cut by the window edges are kept and flagged
``open_start`` / ``open_end``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

import numpy as np

from .elements import Catalogue
from .ephemeris import (
    UMBRA,
    SunTable,
    _teme_by_runs,
    earth_orientation,
    geodetic_to_itrs,
    shadow_state,
    teme_to_itrs,
)
from .errors import SimError
from .localtime import get_zone, zone_name_at
from .names import check_name
from .times import DAY_S, TimeGrid, jd_to_datetime, jd_to_iso, local_iso

#: ISS standard magnitude: at 1000 km range and 90 deg phase angle (half lit).
ISS_STANDARD_MAGNITUDE = -1.8


@dataclass(frozen=True)
class Station:
    """A ground station. ``horizon_mask`` is a list of (azimuth_deg, elevation_deg) pairs,
    interpolated linearly in azimuth; where given it replaces ``min_elevation_deg``.
    ``min_elevation_deg = None`` takes the visibility preset's mask (as the command line and
    scenarios do). ``timezone`` (an IANA name) overrides the zone found from the coordinates."""

    name: str
    lat_deg: float
    lon_deg: float
    elevation_m: float = 0.0
    min_elevation_deg: float | None = None
    horizon_mask: tuple[tuple[float, float], ...] | None = None
    timezone: str | None = None

    def __post_init__(self):
        where = f"station {self.name!r}"
        check_name(self.name, where)  # it becomes file names and table cells
        for label, value, lo, hi in (
            ("lat_deg", self.lat_deg, -90.0, 90.0),
            ("lon_deg", self.lon_deg, -180.0, 360.0),
            ("elevation_m", self.elevation_m, -500.0, 9000.0),
            ("min_elevation_deg", self.min_elevation_deg, -5.0, 89.0),
        ):
            if value is None and label == "min_elevation_deg":
                continue  # the preset's mask, chosen by find_passes
            if not isinstance(value, (int, float)) or not lo <= value <= hi:
                raise SimError(f"{where}: {label} = {value!r} is outside {lo:g}..{hi:g}")
        if self.horizon_mask is not None:
            mask = tuple((float(a), float(e)) for a, e in self.horizon_mask)
            if len(mask) < 2:
                raise SimError(f"{where}: horizon_mask needs at least two azimuth/elevation pairs")
            for az, el in mask:
                if not 0.0 <= az <= 360.0 or not -5.0 <= el <= 89.0:
                    raise SimError(
                        f"{where}: horizon_mask pair ({az:g}, {el:g}) is outside azimuth "
                        "0..360 / elevation -5..89"
                    )
            object.__setattr__(self, "horizon_mask", mask)
        if self.timezone is not None:
            get_zone(self.timezone, f"{where}: timezone")

    @property
    def zone_name(self) -> str:
        """The station's IANA time zone: its ``timezone``, else found from the coordinates."""
        return self.timezone or zone_name_at(self.lat_deg, self.lon_deg)

    @property
    def zone(self):
        """The station's zone as a ``tzinfo``."""
        return get_zone(self.zone_name, f"station {self.name!r}: timezone")

    @classmethod
    def parse(
        cls, text: str, min_elevation_deg: float | None = None, timezone: str | None = None
    ) -> Station:
        """``NAME=LAT,LON[,ALT_M]`` as given on the command line."""
        name, sep, rest = text.partition("=")
        parts = rest.split(",")
        if not sep or not name.strip() or len(parts) not in (2, 3):
            raise SimError(f"--station {text!r}: expected NAME=LAT,LON[,ALT_M]")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise SimError(
                f"--station {text!r}: latitude, longitude and altitude must be numbers"
            ) from None
        return cls(
            name.strip(),
            values[0],
            values[1],
            values[2] if len(values) == 3 else 0.0,
            min_elevation_deg,
            timezone=timezone,
        )

    @property
    def itrs_km(self) -> np.ndarray:
        return geodetic_to_itrs(self.lat_deg, self.lon_deg, self.elevation_m / 1000.0)

    def enu_axes(self) -> np.ndarray:
        """Rows: east, north, up unit vectors in ITRS."""
        lat, lon = math.radians(self.lat_deg), math.radians(self.lon_deg)
        return np.array(
            [
                [-math.sin(lon), math.cos(lon), 0.0],
                [-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)],
                [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)],
            ]
        )

    def mask_deg(self, azimuth_deg):
        if self.horizon_mask is None:
            return np.full(np.shape(azimuth_deg), self.min_elevation_deg)
        az, el = np.array(self.horizon_mask).T
        order = np.argsort(az)
        return np.interp(np.asarray(azimuth_deg) % 360.0, az[order], el[order], period=360.0)


@dataclass(frozen=True)
class VisibilityPreset:
    """When a pass counts as visible to the eye."""

    name: str
    min_elevation_deg: float
    sun_max_elevation_deg: float
    min_peak_elevation_deg: float = 0.0


PRESETS = {
    "naked-eye": VisibilityPreset("naked-eye", 10.0, -6.0),
    "nasa": VisibilityPreset("nasa", 15.0, -6.0),
    "spot-the-station": VisibilityPreset("spot-the-station", 10.0, -6.0, 40.0),
}


def get_preset(name_or_preset) -> VisibilityPreset:
    if isinstance(name_or_preset, VisibilityPreset):
        return name_or_preset
    try:
        return PRESETS[name_or_preset]
    except KeyError:
        raise SimError(
            f"visibility preset {name_or_preset!r} is unknown; expected one of "
            f"{sorted(PRESETS)} or custom values"
        ) from None


@dataclass
class Pass:
    """One pass of the object over one station. Times are UTC Julian dates (float)."""

    station: str
    rise_jd: float
    culmination_jd: float
    set_jd: float
    max_elevation_deg: float
    rise_azimuth_deg: float
    culmination_azimuth_deg: float
    set_azimuth_deg: float
    min_range_km: float
    open_start: bool
    open_end: bool
    element_set_epoch_utc: str
    visible: bool = False
    visible_start_jd: float | None = None
    visible_end_jd: float | None = None
    peak_magnitude: float | None = None
    extra: dict = field(default_factory=dict, repr=False)
    #: the pass starts under one element set and ends under another (a position jump inside)
    element_set_switch: bool = False
    #: elevation at rise and set: the mask, or higher where the window cuts the pass
    rise_elevation_deg: float | None = None
    set_elevation_deg: float | None = None
    visible_start_elevation_deg: float | None = None
    visible_start_azimuth_deg: float | None = None
    visible_end_elevation_deg: float | None = None
    visible_end_azimuth_deg: float | None = None
    #: IANA zone of the station, for the ``*_local`` columns
    timezone: str = "UTC"

    @property
    def duration_s(self) -> float:
        return (self.set_jd - self.rise_jd) * DAY_S

    @property
    def rise(self) -> datetime:
        """Rise (or the window start for an ``open_start`` pass), timezone-aware UTC."""
        return _jd_datetime(self.rise_jd)

    @property
    def culmination(self) -> datetime:
        """Highest elevation, timezone-aware UTC."""
        return _jd_datetime(self.culmination_jd)

    @property
    def set(self) -> datetime:
        """Set (or the window end for an ``open_end`` pass), timezone-aware UTC."""
        return _jd_datetime(self.set_jd)

    def __repr__(self) -> str:
        seen = (
            f"visible, mag {self.peak_magnitude:.1f}"
            if self.visible and self.peak_magnitude is not None
            else ("visible" if self.visible else "not visible")
        )
        return (
            f"<Pass {self.station}: {self.rise:%Y-%m-%d %H:%M:%S} to {self.set:%H:%M:%S} UTC, "
            f"max {self.max_elevation_deg:.1f}° at azimuth {self.culmination_azimuth_deg:.0f}°, "
            f"{seen}>"
        )

    def to_dict(self) -> dict:
        """Plain JSON-ready dict with ISO 8601 UTC times (``Z``) to the millisecond."""

        def iso(jd):
            if jd is None:
                return None
            w = math.floor(jd)
            return jd_to_iso(w, jd - w, 3)

        # a shallow copy of the fields (asdict would deep-copy ``extra`` for nothing)
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        for key in ("rise", "culmination", "set", "visible_start", "visible_end"):
            d[f"{key}_utc"] = iso(d.pop(f"{key}_jd"))
        d["duration_s"] = round(self.duration_s, 3)
        for key in (
            "max_elevation_deg",
            "rise_azimuth_deg",
            "culmination_azimuth_deg",
            "set_azimuth_deg",
            "min_range_km",
        ):
            d[key] = round(d[key], 4)
        if d["peak_magnitude"] is not None:
            d["peak_magnitude"] = round(d["peak_magnitude"], 2)
        for key in (
            "rise_elevation_deg",
            "set_elevation_deg",
            "visible_start_elevation_deg",
            "visible_start_azimuth_deg",
            "visible_end_elevation_deg",
            "visible_end_azimuth_deg",
        ):
            if d[key] is not None:
                d[key] = round(d[key], 4)
        for key in ("rise", "culmination", "set"):
            d[f"{key}_compass"] = compass_point(d[f"{key}_azimuth_deg"])
        zone = get_zone(self.timezone)
        for key in ("rise", "culmination", "set", "visible_start", "visible_end"):
            jd = getattr(self, f"{key}_jd")
            d[f"{key}_local"] = None if jd is None else local_iso(math.floor(jd), jd % 1, zone)[0]
        return {k: d[k] for k in PASS_FIELDS}


def _jd_datetime(jd: float) -> datetime:
    whole = math.floor(jd)
    return jd_to_datetime(whole, jd - whole)


def passes_dataframe(passes):
    """Passes as a pandas DataFrame, one row per pass with the columns of
    :meth:`Pass.to_dict` (needs the ``pandas`` extra); the ``*_utc`` columns are
    timezone-aware UTC datetimes."""
    from .optional import require_pandas

    pd = require_pandas("passes_dataframe()")
    frame = pd.DataFrame([p.to_dict() for p in passes], columns=PASS_FIELDS)
    for column in PASS_FIELDS:
        if column.endswith("_utc") and column != "element_set_epoch_utc":
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


#: The fields of :meth:`Pass.to_dict`, in order (CSV columns, JSON keys).
PASS_FIELDS = [
    "station",
    "rise_utc",
    "culmination_utc",
    "set_utc",
    "duration_s",
    "max_elevation_deg",
    "rise_azimuth_deg",
    "culmination_azimuth_deg",
    "set_azimuth_deg",
    "min_range_km",
    "open_start",
    "open_end",
    "visible",
    "visible_start_utc",
    "visible_end_utc",
    "peak_magnitude",
    "element_set_epoch_utc",
    # observer's fields (added after the original columns, which keep their order)
    "element_set_switch",
    "rise_elevation_deg",
    "rise_compass",
    "culmination_compass",
    "set_elevation_deg",
    "set_compass",
    "visible_start_elevation_deg",
    "visible_start_azimuth_deg",
    "visible_end_elevation_deg",
    "visible_end_azimuth_deg",
    "timezone",
    "rise_local",
    "culmination_local",
    "set_local",
    "visible_start_local",
    "visible_end_local",
]

COMPASS_POINTS = "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()


def compass_point(azimuth_deg: float) -> str:
    """The nearest of the 16 compass points (N, NNE, ..., NNW) to an azimuth in degrees."""
    return COMPASS_POINTS[round((float(azimuth_deg) % 360.0) / 22.5) % 16]


# --------------------------------------------------------------------------------------------
# geometry helpers


class _Geometry:
    """Satellite positions at arbitrary instants, relative to a set of stations.

    Times are seconds from a base Julian date (whole, fraction), float64.
    """

    def __init__(self, catalogue: Catalogue, stations, base_whole: float, base_fraction: float):
        self.catalogue = catalogue
        self.stations = list(stations)
        self.base = (base_whole, base_fraction)
        self.pos = np.array([s.itrs_km for s in self.stations])  # (S, 3)
        self.axes = np.array([s.enu_axes() for s in self.stations])  # (S, 3, 3)
        self.has_mask = np.array([s.horizon_mask is not None for s in self.stations])
        self.min_el = np.array([s.min_elevation_deg for s in self.stations])

    def jd(self, t_s):
        t_s = np.asarray(t_s, dtype=float)
        whole = np.full(t_s.shape, self.base[0])
        return whole, self.base[1] + t_s / DAY_S

    def sat_itrs(self, t_s):
        whole, frac = self.jd(t_s)
        whole, frac = whole.ravel(), frac.ravel()
        r_teme, _v, _e = _teme_by_runs(self.catalogue, whole, frac)
        theta, _, xp, yp = earth_orientation(whole, frac)
        return teme_to_itrs(r_teme, None, theta, 0.0, xp, yp)[0], r_teme, theta

    def look(self, station_idx, t_s):
        """Elevation (deg), azimuth (deg) and range (km) of the object for paired arrays."""
        r, _, _ = self.sat_itrs(t_s)
        rel = r - self.pos[station_idx]
        enu = np.einsum("nij,nj->ni", self.axes[station_idx], rel)
        rng = np.linalg.norm(enu, axis=1)
        el = np.degrees(np.arcsin(np.clip(enu[:, 2] / rng, -1.0, 1.0)))
        az = np.degrees(np.arctan2(enu[:, 0], enu[:, 1])) % 360.0
        return el, az, rng

    def margin(self, station_idx, el, az):
        """Elevation above the station's mask (deg)."""
        mask = self.min_el[station_idx].astype(float)
        if self.has_mask.any():
            for k in np.unique(station_idx[self.has_mask[station_idx]]):
                sel = station_idx == k
                mask[sel] = self.stations[k].mask_deg(az[sel])
        return el - mask

    def f(self, station_idx, t_s):
        el, az, _ = self.look(station_idx, t_s)
        return self.margin(station_idx, el, az)


#: Points per interval and round of the vectorised maximum search while there are few intervals;
#: beyond MANY_INTERVALS the search is golden-section (one new point per interval and round).
SEARCH_POINTS = 16
MANY_INTERVALS = 128
#: Interior points per bracket and round of the root search: POINT_BUDGET // brackets, 1..15.
POINT_BUDGET = 400


def _search_max(func, lo, hi, tol_s=0.005, k=SEARCH_POINTS):
    """Vectorised search for the maximum of a unimodal ``func`` on [lo, hi] per element.

    With few intervals (one station) the cost is the number of calls: each round evaluates
    ``k`` points across every interval in one call and keeps the two sub-intervals around the
    best point, shrinking the interval by (k - 1) / 2, so five calls reach 0.005 s. With many
    intervals (many stations) the cost is the number of points, and golden-section search, one
    new point per interval and round, needs the fewest. ``func(x, rows)`` gets the instants and,
    for each, the number of its interval.
    """
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    n = lo.size
    pick = np.arange(n)
    if n > MANY_INTERVALS:
        return _golden_max(func, lo, hi, tol_s)
    rows = np.repeat(pick, k)
    frac = np.linspace(0.0, 1.0, k)
    while n and np.max(hi - lo) > tol_s:
        x = lo[:, None] + (hi - lo)[:, None] * frac
        fx = func(x.ravel(), rows).reshape(n, k)
        best = np.argmax(np.where(np.isnan(fx), -np.inf, fx), axis=1)
        step = (hi - lo) / (k - 1)
        centre = x[pick, best]
        lo, hi = np.maximum(centre - step, lo), np.minimum(centre + step, hi)
    t = 0.5 * (lo + hi)
    return t, func(t, pick)


GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def _golden_max(func, lo, hi, tol_s):
    """Golden-section search for the maximum of func on [lo, hi] per element."""
    pick = np.arange(lo.size)
    a = hi - GOLDEN * (hi - lo)
    b = lo + GOLDEN * (hi - lo)
    fa = func(a, pick)
    fb = func(b, pick)
    while lo.size and np.max(hi - lo) > tol_s:
        left = fa >= fb  # the maximum lies in [lo, b]
        hi = np.where(left, b, hi)
        lo = np.where(left, lo, a)
        new_a = np.where(left, hi - GOLDEN * (hi - lo), b)
        new_b = np.where(left, a, lo + GOLDEN * (hi - lo))
        x = np.where(left, new_a, new_b)
        fx = func(x, pick)
        fa, fb = np.where(left, fx, fb), np.where(left, fa, fx)
        a, b = new_a, new_b
    t = 0.5 * (lo + hi)
    return t, func(t, pick)


def _search_root(func, lo, hi, rising: bool, tol_s=0.005):
    """Vectorised search for the first sign change of ``func`` on [lo, hi] per element.

    rising: func(lo) < 0 <= func(hi); otherwise func(lo) >= 0 > func(hi). Each round evaluates
    m interior points of every bracket in one call and keeps the sub-interval holding the first
    change, shrinking the bracket by m + 1. m is 15 for a few brackets (four calls from 30 s to
    0.005 s, where bisection needs thirteen) and falls to 1, plain bisection, for thousands of
    brackets, where the number of points is what costs. ``func(x, rows)`` as for
    :func:`_search_max`.
    """
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    n = lo.size
    m = int(np.clip(POINT_BUDGET // max(n, 1), 1, 15))
    rows = np.repeat(np.arange(n), m)
    frac = np.arange(1, m + 1) / (m + 1.0)
    pick = np.arange(n)
    while n and np.max(hi - lo) > tol_s:
        grid = np.empty((n, m + 2))
        grid[:, 0] = lo
        grid[:, -1] = hi
        grid[:, 1:-1] = lo[:, None] + (hi - lo)[:, None] * frac
        positive = func(grid[:, 1:-1].ravel(), rows).reshape(n, m) >= 0
        changed = positive if rising else ~positive
        # the first interior point past the change; none: the change is after the last one
        j = np.where(changed.any(axis=1), np.argmax(changed, axis=1) + 1, m + 1)
        lo, hi = grid[pick, j - 1], grid[pick, j]
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------------------------
# pass search


def find_passes(
    catalogue: Catalogue,
    stations,
    start,
    end,
    *,
    preset="naked-eye",
    coarse_step_s: float = 120.0,
    visibility: bool = True,
    candidate_margin_deg: float = 20.0,
) -> list[Pass]:
    """All passes of the catalogue's object over ``stations`` between ``start`` and ``end``.

    ``stations`` are :class:`Station` objects (their own mask is used). ``preset`` sets the
    visibility rule (a name from :data:`PRESETS` or a :class:`VisibilityPreset`). Passes are
    sorted by rise time, then station order.
    """
    stations = list(stations)
    if not stations:
        return []
    preset = get_preset(preset)
    stations = [  # a station without its own mask takes the preset's (CLI, scenario and API)
        s
        if s.min_elevation_deg is not None
        else replace(s, min_elevation_deg=preset.min_elevation_deg)
        for s in stations
    ]
    grid = TimeGrid.span(start, end, coarse_step_s)
    base_w, base_f = float(grid.whole[0]), float(grid.fraction[0])
    t = grid.seconds_since(base_w, base_f)
    t_end = float(t[-1])
    geo = _Geometry(catalogue, stations, base_w, base_f)
    r_sat, _, _ = geo.sat_itrs(t)

    cand_station, cand_i = [], []
    margins = []
    for k, st in enumerate(stations):
        rel = r_sat - geo.pos[k]
        enu = rel @ geo.axes[k].T
        rng = np.linalg.norm(enu, axis=1)
        el = np.degrees(np.arcsin(np.clip(enu[:, 2] / rng, -1.0, 1.0)))
        if st.horizon_mask is not None:
            az = np.degrees(np.arctan2(enu[:, 0], enu[:, 1])) % 360.0
            f = el - st.mask_deg(az)
        else:
            f = el - st.min_elevation_deg
        f = np.where(np.isfinite(f), f, -90.0)
        margins.append(f)
        interior = (
            np.nonzero((f[1:-1] >= f[:-2]) & (f[1:-1] > f[2:]) & (f[1:-1] > -candidate_margin_deg))[
                0
            ]
            + 1
        )
        edges = [i for i in (0, f.size - 1) if f[i] > 0]
        idx = np.union1d(interior, edges).astype(int)
        cand_station.append(np.full(idx.size, k))
        cand_i.append(idx)
    cs = np.concatenate(cand_station)
    ci = np.concatenate(cand_i)
    if cs.size == 0:
        return []

    # refine the maximum of the margin around each interior candidate
    lo = t[np.maximum(ci - 1, 0)]
    hi = t[np.minimum(ci + 1, t.size - 1)]
    t_max, f_max = _search_max(lambda x, i: geo.f(cs[i], x), lo, hi)
    # a maximum at a window edge is the edge itself
    at_edge = (ci == 0) | (ci == t.size - 1)
    f_edge = np.array([margins[k][i] for k, i in zip(cs, ci, strict=True)])
    edge_is_max = at_edge & (f_edge >= f_max)
    t_max = np.where(edge_is_max, t[ci], t_max)
    f_max = np.where(edge_is_max, f_edge, f_max)
    keep = f_max > 0
    cs, ci, t_max = cs[keep], ci[keep], t_max[keep]
    if cs.size == 0:  # maxima all stay below the masks: no pass in the window
        return []

    # brackets for rise and set from the coarse samples
    rise_lo = np.empty(cs.size)
    rise_hi = np.empty(cs.size)
    set_lo = np.empty(cs.size)
    set_hi = np.empty(cs.size)
    open_start = np.zeros(cs.size, dtype=bool)
    open_end = np.zeros(cs.size, dtype=bool)
    for k in np.unique(cs):
        sel = np.nonzero(cs == k)[0]
        neg = np.nonzero(margins[k] < 0)[0]
        tm = t_max[sel]
        # last negative sample before the maximum
        j = np.searchsorted(t[neg], tm, side="left") - 1 if neg.size else np.full(sel.size, -1)
        has_j = j >= 0
        jj = neg[np.maximum(j, 0)] if neg.size else np.zeros(sel.size, dtype=int)
        open_start[sel] = ~has_j
        rise_lo[sel] = np.where(has_j, t[jj], 0.0)
        rise_hi[sel] = np.where(has_j, np.minimum(t[np.minimum(jj + 1, t.size - 1)], tm), 0.0)
        # first negative sample after the maximum
        m = np.searchsorted(t[neg], tm, side="right") if neg.size else np.zeros(sel.size, int)
        has_m = m < neg.size
        mm = neg[np.minimum(m, max(neg.size - 1, 0))] if neg.size else np.zeros(sel.size, int)
        open_end[sel] = ~has_m
        set_hi[sel] = np.where(has_m, t[mm], t_end)
        set_lo[sel] = np.where(has_m, np.maximum(t[np.maximum(mm - 1, 0)], tm), t_end)

    rise = np.zeros(cs.size)
    closed = ~open_start
    rise[closed] = _search_root(
        lambda x, i: geo.f(cs[closed][i], x), rise_lo[closed], rise_hi[closed], True
    )
    set_ = np.full(cs.size, t_end)
    closed = ~open_end
    set_[closed] = _search_root(
        lambda x, i: geo.f(cs[closed][i], x), set_lo[closed], set_hi[closed], False
    )

    # one pass per (station, rise): several maxima inside one pass collapse to one
    order = np.lexsort((set_, np.round(rise, 2), cs))
    unique = []
    collapsed = set()
    for n in order:
        if unique:
            p = unique[-1]
            if cs[p] == cs[n] and abs(rise[p] - rise[n]) < 0.05:
                collapsed.add(p)
                continue
        unique.append(n)
    u = np.array(unique, dtype=int)
    single = np.array([n not in collapsed for n in unique], dtype=bool)
    cs, rise, set_, t_max = cs[u], rise[u], set_[u], t_max[u]
    open_start, open_end = open_start[u], open_end[u]

    # culmination: maximum elevation within the pass. Without a horizon mask the margin is the
    # elevation less a constant, so the maximum refined above (to 0.005 s) is the culmination
    # of a closed pass with one maximum; the others are searched.
    def elevation(x, i):
        return geo.look(cs[search][i], x)[0]

    search = geo.has_mask[cs] | open_start | open_end | ~single
    tca = t_max.copy()
    if search.any():
        tca[search], _ = _search_max(elevation, rise[search], set_[search])
    el_tca, az_tca, rng_tca = geo.look(cs, tca)
    _, az_rise, _ = geo.look(cs, rise)
    _, az_set, _ = geo.look(cs, set_)

    whole_tca, frac_tca = geo.jd(tca)
    set_index = catalogue.index_at(whole_tca, frac_tca)
    epochs = [s.epoch_iso for s in catalogue.sets]
    base_jd = base_w + base_f
    passes = [
        Pass(
            station=stations[cs[n]].name,
            rise_jd=base_jd + rise[n] / DAY_S,
            culmination_jd=base_jd + tca[n] / DAY_S,
            set_jd=base_jd + set_[n] / DAY_S,
            max_elevation_deg=float(el_tca[n]),
            rise_azimuth_deg=float(az_rise[n]),
            culmination_azimuth_deg=float(az_tca[n]),
            set_azimuth_deg=float(az_set[n]),
            min_range_km=float(rng_tca[n]),
            open_start=bool(open_start[n]),
            open_end=bool(open_end[n]),
            element_set_epoch_utc=epochs[set_index[n]],
            extra={"station_index": int(cs[n]), "t": (rise[n], tca[n], set_[n])},
        )
        for n in range(cs.size)
    ]
    if visibility:
        _add_visibility(passes, geo, t, preset)
    _add_observer_fields(passes, geo)
    for p in passes:  # what sky_plot(p) needs to compute its own path across the sky
        p.extra["catalogue"] = catalogue
        p.extra["station"] = stations[p.extra["station_index"]]
    passes.sort(key=lambda p: (p.rise_jd, p.extra["station_index"]))
    return passes


def _add_observer_fields(passes, geo: _Geometry):
    """Elevations at rise and set, directions of the visible part, the element-set switch flag
    and the station's time zone: what an observer's table and calendar show."""
    if not passes:
        return
    cs = np.array([p.extra["station_index"] for p in passes])
    rise = np.array([p.extra["t"][0] for p in passes])
    set_ = np.array([p.extra["t"][2] for p in passes])
    el_rise, _, _ = geo.look(cs, rise)
    el_set, _, _ = geo.look(cs, set_)
    idx_rise = geo.catalogue.index_at(*geo.jd(rise))
    idx_set = geo.catalogue.index_at(*geo.jd(set_))
    vis = [n for n, p in enumerate(passes) if p.visible]
    if vis:
        lo = np.array([passes[n].extra["visible_t"][0] for n in vis])
        hi = np.array([passes[n].extra["visible_t"][1] for n in vis])
        el_lo, az_lo, _ = geo.look(cs[vis], lo)
        el_hi, az_hi, _ = geo.look(cs[vis], hi)
        for k, n in enumerate(vis):
            p = passes[n]
            p.visible_start_elevation_deg = float(el_lo[k])
            p.visible_start_azimuth_deg = float(az_lo[k])
            p.visible_end_elevation_deg = float(el_hi[k])
            p.visible_end_azimuth_deg = float(az_hi[k])
    zones = [s.zone_name for s in geo.stations]
    for n, p in enumerate(passes):
        p.rise_elevation_deg = float(el_rise[n])
        p.set_elevation_deg = float(el_set[n])
        p.element_set_switch = bool(idx_rise[n] != idx_set[n])
        p.timezone = zones[cs[n]]


# --------------------------------------------------------------------------------------------
# visibility


def _umbra_intervals(geo: _Geometry, t: np.ndarray, rise, set_, sun: SunTable):
    """Per pass, the intervals (seconds from the base) when the object is in the Earth's umbra.

    Only the pass itself is looked at: the shadow is sampled at rise, at set and at the coarse
    grid instants between them (the umbra lasts about 35 minutes, far longer than the coarse step,
    so no entry or exit is missed), and every change is bisected to 0.01 s.
    """
    pieces = [np.r_[a, t[(t > a) & (t < b)], b] for a, b in zip(rise, set_, strict=True)]
    owner = np.repeat(np.arange(len(pieces)), [p.size for p in pieces])
    x = np.concatenate(pieces)
    whole, frac = geo.jd(x)
    r_teme, _v, _e = _teme_by_runs(geo.catalogue, whole, frac)
    dark = shadow_state(r_teme, sun.teme(whole, frac)) == UMBRA

    def darkness(xx, _rows):
        w, fr = geo.jd(xx)
        r, _, _ = _teme_by_runs(geo.catalogue, w, fr)
        return np.where(shadow_state(r, sun.teme(w, fr)) == UMBRA, 1.0, -1.0)

    change = np.nonzero((dark[1:] != dark[:-1]) & (owner[1:] == owner[:-1]))[0]
    entering = dark[change + 1]
    times = np.empty(change.size)
    if change.size:
        ent = entering
        times[ent] = _search_root(darkness, x[change[ent]], x[change[ent] + 1], True, 0.01)
        times[~ent] = _search_root(darkness, x[change[~ent]], x[change[~ent] + 1], False, 0.01)
    starts = [[] for _ in pieces]
    ends = [[] for _ in pieces]
    first = np.r_[0, np.cumsum([p.size for p in pieces])[:-1]]
    for n, i in enumerate(first):
        if dark[i]:
            starts[n].append(x[i])
    for c, tc, ent in zip(change, times, entering, strict=True):
        (starts if ent else ends)[owner[c]].append(tc)
    for n, p in enumerate(pieces):
        if dark[first[n] + p.size - 1]:
            ends[n].append(p[-1])
    return starts, ends


def sun_elevation_deg(geo: _Geometry, station_idx, t_s, sun: SunTable):
    whole, frac = geo.jd(t_s)
    r_sun = sun.itrs(whole, frac)
    rel = r_sun - geo.pos[station_idx]
    enu = np.einsum("nij,nj->ni", geo.axes[station_idx], rel)
    return np.degrees(np.arcsin(enu[:, 2] / np.linalg.norm(enu, axis=1)))


def estimated_magnitude(range_km, phase_angle_rad, standard_magnitude=ISS_STANDARD_MAGNITUDE):
    """Estimated visual magnitude of a diffuse sphere (an approximation, not a measurement).

    ``m = m_std + 5 log10(range / 1000 km) - 2.5 log10(sin(p) + (pi - p) cos(p))`` with the
    phase angle p (Sun-object-observer): m_std at 1000 km and half phase (p = 90 deg).
    """
    p = np.asarray(phase_angle_rad, dtype=float)
    phase = np.maximum(np.sin(p) + (np.pi - p) * np.cos(p), 1e-6)
    return (
        standard_magnitude + 5.0 * np.log10(np.asarray(range_km) / 1000.0) - 2.5 * np.log10(phase)
    )


def _within_any(t, lo, hi):
    """True for the instants ``t`` (sorted) inside any of the intervals [lo, hi]."""
    inside = np.zeros(t.size + 1, dtype=np.int32)
    np.add.at(inside, np.searchsorted(t, lo, side="left"), 1)
    np.add.at(inside, np.searchsorted(t, hi, side="right"), -1)
    return np.cumsum(inside[:-1]) > 0


def _add_visibility(passes, geo: _Geometry, t, preset: VisibilityPreset):
    if not passes:
        return
    cs = np.array([p.extra["station_index"] for p in passes])
    rise = np.array([p.extra["t"][0] for p in passes])
    set_ = np.array([p.extra["t"][2] for p in passes])
    # the Sun only where a pass is: hourly knots around the pass instants
    inside = np.concatenate([rise, set_, t[_within_any(t, rise, set_)]])
    sun = SunTable.over(*geo.jd(inside))
    dark_starts, dark_ends = _umbra_intervals(geo, t, rise, set_, sun)
    # the Sun's elevation at the station at rise and set, and the crossing of the limit
    limit = preset.sun_max_elevation_deg
    sun_rise = sun_elevation_deg(geo, cs, rise, sun) - limit
    sun_set = sun_elevation_deg(geo, cs, set_, sun) - limit
    dark_lo = rise.copy()
    dark_hi = set_.copy()
    crossing = (sun_rise > 0) != (sun_set > 0)
    if crossing.any():
        idx = np.nonzero(crossing)[0]
        getting_dark = sun_rise[idx] > 0

        def g(x, sel):
            return sun_elevation_deg(geo, cs[sel], x, sun) - limit

        for sub, rising in ((idx[getting_dark], False), (idx[~getting_dark], True)):
            if sub.size:
                cross = _search_root(
                    lambda x, i, s=sub: g(x, s[i]), rise[sub], set_[sub], rising, 0.5
                )
                if rising:  # the Sun climbs past the limit: dark until the crossing
                    dark_hi[sub] = cross
                else:
                    dark_lo[sub] = cross
    sky_dark = (sun_rise <= 0) | (sun_set <= 0)
    for n, p in enumerate(passes):
        if not sky_dark[n] or p.max_elevation_deg < preset.min_peak_elevation_deg:
            continue
        lo, hi = dark_lo[n], dark_hi[n]
        # subtract the umbra intervals overlapping [lo, hi]; keep the longest lit piece
        pieces = [(lo, hi)]
        for a, b in zip(dark_starts[n], dark_ends[n], strict=True):
            nxt = []
            for x, y in pieces:
                if b <= x or a >= y:
                    nxt.append((x, y))
                    continue
                if a > x:
                    nxt.append((x, a))
                if b < y:
                    nxt.append((b, y))
            pieces = nxt
        pieces = [pc for pc in pieces if pc[1] - pc[0] > 0.5]
        if not pieces:
            continue
        vis_lo, vis_hi = max(pieces, key=lambda pc: pc[1] - pc[0])
        base_jd = geo.base[0] + geo.base[1]
        p.visible = True
        p.visible_start_jd = base_jd + vis_lo / DAY_S
        p.visible_end_jd = base_jd + vis_hi / DAY_S
        p.extra["visible_t"] = (vis_lo, vis_hi)
    _add_magnitudes([p for p in passes if p.visible], geo, sun)


def _add_magnitudes(passes, geo: _Geometry, sun: SunTable, samples: int = 25):
    if not passes:
        return
    cs = np.repeat([p.extra["station_index"] for p in passes], samples)
    frac = np.linspace(0.0, 1.0, samples)
    times = np.concatenate(
        [
            p.extra["visible_t"][0] + frac * (p.extra["visible_t"][1] - p.extra["visible_t"][0])
            for p in passes
        ]
    )
    r_sat, _, _ = geo.sat_itrs(times)
    whole, fr = geo.jd(times)
    r_sun = sun.itrs(whole, fr)
    to_obs = geo.pos[cs] - r_sat
    to_sun = r_sun - r_sat
    rng = np.linalg.norm(to_obs, axis=1)
    cos_p = np.einsum("ij,ij->i", to_obs, to_sun) / (rng * np.linalg.norm(to_sun, axis=1))
    mag = estimated_magnitude(rng, np.arccos(np.clip(cos_p, -1, 1))).reshape(len(passes), samples)
    for p, m in zip(passes, mag.min(axis=1), strict=True):
        p.peak_magnitude = float(m)


def pass_track(catalogue: Catalogue, station: Station, p: Pass, step_s: float = 2.0):
    """Azimuth/elevation samples over one pass, for sky plots: (seconds from rise, az, el)."""
    w = math.floor(p.rise_jd)
    geo = _Geometry(catalogue, [station], w, p.rise_jd - w)
    x = np.arange(0.0, p.duration_s + step_s, step_s)
    x[-1] = min(x[-1], p.duration_s)
    el, az, _ = geo.look(np.zeros(x.size, dtype=int), x)
    return x, az, el
