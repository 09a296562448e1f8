"""Vectorised propagation over a time grid: TEME, ITRS, geodetic coordinates and sunlight.

One ``sgp4_array`` call per element-set segment; TEME -> PEF by the GMST 1982 angle of UT1, then
PEF -> ITRS by the polar-motion rotation W with the pole coordinates of the IERS table shipped in
``skyfield-data`` (the pole wanders about 0.3-0.5 arcsec, which moves the ISS by about 10-15 m:
not negligible); geodetic latitude/longitude/altitude on WGS84; the Sun from DE421
(skyfield-data, no download) for the Earth's conical shadow.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

import numpy as np
from sgp4.api import SGP4_ERRORS
from skyfield.sgp4lib import theta_GMST1982

from . import parallel
from .elements import Catalogue, trust
from .errors import TimeSpanError
from .times import (
    DAY_S,
    TimeGrid,
    _utc_jd_to_skyfield,
    iso_array,
    polar_motion_rad,
    skyfield_data_dir,
    ut1_minus_utc_s,
)

WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)
WGS84_EP2 = WGS84_E2 / (1.0 - WGS84_E2)
EARTH_RADIUS_KM = 6378.137  #: sphere used for the shadow cone
SUN_RADIUS_KM = 695_700.0
EARTH_ROTATION_RAD_S = 7.292115146706979e-5

#: Shadow states per instant.
SUNLIT, PENUMBRA, UMBRA = 0, 1, 2
SHADOW_NAMES = ("sunlit", "penumbra", "umbra")


@functools.cache
def planets():
    """DE421 from the skyfield-data wheel (expire=False: never downloaded, never refreshed)."""
    from skyfield.api import Loader

    return Loader(skyfield_data_dir(), verbose=False, expire=False)("de421.bsp")


# --------------------------------------------------------------------------------------------
# frames


#: The GMST angle is advanced linearly from anchors this many days apart (see gmst_rad).
GMST_ANCHOR_DAYS = 30.0


def gmst_rad(whole, fraction, dut1_s=None):
    """GMST 1982 (radians) and its rate (rad/day) at UTC Julian dates, UT1 from the IERS table.

    The angle is advanced linearly from anchors 30 days apart (skyfield's ``theta_GMST1982`` at
    each anchor) with the rate there: the neglected quadratic term is below 1e-7 s of time over
    30 days, so the result equals ``theta_GMST1982`` to a few nanoradians at a fraction of the
    cost, and the cost stays linear in the number of instants for any span.
    """
    whole = np.asarray(whole, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    if dut1_s is None:
        dut1_s = ut1_minus_utc_s(whole, fraction)
    frac_ut1 = fraction + dut1_s / DAY_S
    if whole.size < 2:
        return theta_GMST1982(whole, frac_ut1)
    w0 = float(whole.flat[0])
    f0 = float(frac_ut1.flat[0])
    days = (whole - w0) + (frac_ut1 - f0)
    lo, hi = float(np.min(days)), float(np.max(days))
    if lo >= 0.0 and hi <= GMST_ANCHOR_DAYS:
        theta0, rate = theta_GMST1982(w0, f0)
        theta = days * rate
        theta += theta0
        return theta, np.full(whole.shape, rate)
    first = np.floor(lo / GMST_ANCHOR_DAYS)
    anchors_days = GMST_ANCHOR_DAYS * np.arange(first, np.floor(hi / GMST_ANCHOR_DAYS) + 1)
    theta_a, rate_a = theta_GMST1982(np.full(anchors_days.shape, w0), f0 + anchors_days)
    k = (np.floor(days / GMST_ANCHOR_DAYS) - first).astype(np.intp)
    rate = rate_a[k]
    theta = days - anchors_days[k]
    theta *= rate
    theta += theta_a[k]
    return theta, rate


def earth_orientation(whole, fraction):
    """Everything TEME <-> ITRS needs at UTC instants: GMST (rad), its rate (rad/day) and the
    pole coordinates x_p, y_p (rad), all from the IERS table."""
    theta, theta_dot = gmst_rad(whole, fraction)
    xp, yp = polar_motion_rad(whole, fraction)
    return theta, theta_dot, xp, yp


def teme_to_itrs(r_teme, v_teme, theta, theta_dot_rad_day, xp_rad=0.0, yp_rad=0.0):
    """Rotate (N, 3) TEME vectors to ITRS; velocity includes the Earth's rotation.

    TEME -> PEF by GMST ``theta``, then PEF -> ITRS by the polar-motion rotation
    W = R1(-y_p) R2(-x_p) (IERS 2010, eq. 5.3, as skyfield's ``itrs`` frame applies it). The pole
    angles are below 1e-5 rad, so W is applied to first order (the neglected terms are below
    1e-10 of the radius, under a millimetre); s' (about 10 microarcseconds) is neglected.
    Pass ``xp_rad = yp_rad = 0`` only for the pseudo-Earth-fixed frame (PEF).
    """
    r, v = _teme_to_itrs_columns(r_teme, v_teme, theta, theta_dot_rad_day, xp_rad, yp_rad)
    return np.stack(r, axis=1), (None if v is None else np.stack(v, axis=1))


def _teme_to_itrs_columns(r_teme, v_teme, theta, theta_dot_rad_day, xp_rad, yp_rad):
    """:func:`teme_to_itrs` as contiguous x, y, z columns (one pass over each input array; the
    products go through one scratch column, in the order of the formulas, so the same bits)."""
    c = np.cos(theta)
    s = np.sin(theta)
    x, y, z = np.array(r_teme.T, dtype=np.float64, order="C")  # a copy: y is overwritten
    t = np.multiply(s, y)
    px = np.multiply(c, x)
    px += t
    np.multiply(s, x, out=t)
    py = np.multiply(c, y, out=y)
    py -= t
    if v_teme is None:
        return _polar_motion(px, py, z, xp_rad, yp_rad, t), None
    # omega x r takes the PEF position, so the velocity is formed before W turns px, py in place
    omega = np.asarray(theta_dot_rad_day) / DAY_S
    vx, vy, vz = np.array(v_teme.T, dtype=np.float64, order="C")  # a copy: vy too
    # PEF velocity: rotated TEME velocity minus omega x r_PEF
    qx = np.multiply(c, vx)
    np.multiply(s, vy, out=t)
    qx += t
    np.multiply(omega, py, out=t)
    qx += t
    np.multiply(s, vx, out=t)
    qy = np.multiply(c, vy, out=vy)
    qy -= t
    np.multiply(omega, px, out=t)
    qy -= t
    r = _polar_motion(px, py, z, xp_rad, yp_rad, t)
    return r, _polar_motion(qx, qy, vz, xp_rad, yp_rad, t)


def _polar_motion(px, py, pz, xp, yp, scratch=None):
    """W (px, py, pz) with W to first order: [[1, 0, xp], [0, 1, -yp], [-xp, yp, 1]]; the
    inputs px, py are updated in place (``scratch``: a column to overwrite)."""
    if np.ndim(xp) == 0 and xp == 0.0 and np.ndim(yp) == 0 and yp == 0.0:
        return px, py, pz
    t = np.empty(np.shape(px)) if scratch is None else scratch
    qz = np.multiply(yp, py)
    np.multiply(xp, px, out=t)
    qz -= t
    qz += pz
    np.multiply(xp, pz, out=t)
    px += t
    np.multiply(yp, pz, out=t)
    py -= t
    return px, py, qz


def itrs_to_teme(r_itrs, theta, xp_rad=0.0, yp_rad=0.0):
    """Inverse of :func:`teme_to_itrs` for positions: ITRS -> PEF by W transposed -> TEME."""
    x, y, z = r_itrs[:, 0], r_itrs[:, 1], r_itrs[:, 2]
    px = x - xp_rad * z
    py = y + yp_rad * z
    pz = z + xp_rad * x - yp_rad * y
    c = np.cos(theta)
    s = np.sin(theta)
    return np.stack([c * px - s * py, s * px + c * py, pz], axis=1)


def geodetic(r_itrs):
    """WGS84 geodetic latitude (deg), longitude (deg, -180..180) and height (km) of (N, 3) km.

    Bowring's parametric-latitude start, then one fixed-point step of the latitude, all with
    square roots instead of trigonometry: within 0.1 mm of the exact latitude and 0.01 mm of the
    exact height for heights from 0 to 40,000 km.
    """
    return _geodetic_columns(*np.ascontiguousarray(np.asarray(r_itrs).T))


def _geodetic_columns(x, y, z, lat=None, lon=None, alt=None):
    """:func:`geodetic` of x, y, z columns, into ``lat``, ``lon``, ``alt`` where given.

    The formula of :func:`geodetic`, each step in the same order (so the same bits), worked in
    place in three scratch columns: about 30% faster than one temporary per operation.
    """
    scalar = np.ndim(x) == 0  # one position given as a (3,) vector
    x, y, z = (np.atleast_1d(np.asarray(c, dtype=np.float64)) for c in (x, y, z))
    lat = np.empty(x.shape) if lat is None else lat
    lon = np.empty(x.shape) if lon is None else lon
    alt = np.empty(x.shape) if alt is None else alt
    t = np.multiply(x, x)
    p = np.multiply(y, y)
    p += t
    np.sqrt(p, out=p)  # p = sqrt(x x + y y)
    np.arctan2(y, x, out=lon)
    np.degrees(lon, out=lon)
    cu = np.multiply(p, WGS84_B_KM)  # p b, then cos of the parametric latitude
    su = np.multiply(z, WGS84_A_KM)  # z a, then its sine
    h = np.multiply(cu, cu)
    np.multiply(su, su, out=t)
    h += t
    np.sqrt(h, out=h)
    cu /= h
    su /= h
    np.multiply(su, su, out=t)
    t *= su
    t *= WGS84_EP2 * WGS84_B_KM
    num = np.add(z, t, out=h)  # z + ep2 b su^3
    np.multiply(cu, cu, out=t)
    t *= cu
    t *= WGS84_E2 * WGS84_A_KM
    den = np.subtract(p, t, out=cu)  # p - e2 a cu^3
    # one fixed-point step: tan(lat) = (z + N e^2 sin(lat)) / p
    np.multiply(num, num, out=t)
    den *= den
    t += den
    np.sqrt(t, out=t)
    s = np.divide(num, t, out=su)  # sin of Bowring's latitude
    np.multiply(s, WGS84_E2, out=t)
    t *= s
    np.subtract(1.0, t, out=t)
    np.sqrt(t, out=t)
    np.divide(WGS84_A_KM, t, out=t)  # N
    t *= WGS84_E2
    t *= s
    np.add(z, t, out=num)  # z + N e2 sin(lat)
    h = np.multiply(num, num, out=cu)
    np.multiply(p, p, out=t)
    h += t
    np.sqrt(h, out=h)
    np.divide(num, h, out=s)  # sin(lat)
    c = np.divide(p, h, out=h)  # cos(lat)
    np.multiply(p, c, out=alt)
    np.multiply(z, s, out=t)
    alt += t
    np.multiply(WGS84_E2, s, out=t)
    t *= s
    np.subtract(1.0, t, out=t)
    np.sqrt(t, out=t)
    t *= WGS84_A_KM
    alt -= t
    np.arctan2(num, p, out=lat)
    np.degrees(lat, out=lat)
    if scalar:
        return lat[0], lon[0], alt[0]
    return lat, lon, alt


def geodetic_to_itrs(lat_deg, lon_deg, alt_km=0.0):
    """ITRS position (km) of geodetic points; arrays broadcast; shape (..., 3)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    alt = np.asarray(alt_km, dtype=float)
    s = np.sin(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * s * s)
    xy = (n + alt) * np.cos(lat)
    return np.stack(
        np.broadcast_arrays(xy * np.cos(lon), xy * np.sin(lon), (n * (1 - WGS84_E2) + alt) * s),
        axis=-1,
    )


# --------------------------------------------------------------------------------------------
# Sun


#: Knots per skyfield call in :class:`SunTable` (OpenBLAS computes a matrix-vector product of
#: 77 x this many terms in one thread below 9,216 entries).
SUN_KNOTS_PER_CALL = 96


class SunTable:
    """The Sun's geometric geocentric position sampled at knots and interpolated linearly.

    Sampled in TEME, where the Sun moves about 1 deg a day: with knots an hour apart the
    interpolated direction is within 5e-10 rad (0.0001 arcsec) of the exact one. The knots use
    the IAU 2000B nutation (good to 1 mas, which does not change the Sun's direction visibly) to
    keep the table cheap. :meth:`covering` samples a whole span; :meth:`over` only the hours
    that hold the given instants (passes: a Sun table over pass instants only).
    """

    def __init__(
        self, whole0: float, days_lo: float, days_hi: float, step_s: float = 3600.0, knots=None
    ):
        self.whole0 = whole0
        self.step_days = step_s / DAY_S
        if knots is None:
            n = max(2, int(np.ceil((days_hi - days_lo) * DAY_S / step_s)) + 2)
            knots = np.linspace(days_lo - step_s / DAY_S, days_hi + step_s / DAY_S, n)
            self.dense = True
        else:
            self.dense = False
        self.knots = np.asarray(knots, dtype=float)
        n = self.knots.size
        from skyfield.framelib import itrs
        from skyfield.nutationlib import iau2000b_radians

        eph = planets()
        sun_itrs = np.empty((n, 3))
        # in blocks small enough that OpenBLAS runs the nutation series' matrix products in this
        # thread: its thread pool costs more than it saves here (60 days: 64 ms against 17 ms)
        # and its threads keep spinning afterwards, on the cores the track's workers need
        for a in range(0, n, SUN_KNOTS_PER_CALL):
            knots = self.knots[a : a + SUN_KNOTS_PER_CALL]
            t = _utc_jd_to_skyfield(np.full(knots.size, whole0), knots)
            t._nutation_angles_radians = iau2000b_radians(t)
            sun_itrs[a : a + knots.size] = (eph["sun"] - eph["earth"]).at(t).frame_xyz(itrs).km.T
        # skyfield's itrs includes polar motion (sim.times.timescale installs the table)
        theta, _, xp, yp = earth_orientation(np.full(n, whole0), self.knots)
        self.teme_knots = itrs_to_teme(sun_itrs, theta, xp, yp)

    @classmethod
    def covering(cls, whole, fraction, step_s: float = 3600.0) -> SunTable:
        whole = np.asarray(whole, dtype=float)
        fraction = np.asarray(fraction, dtype=float)
        w0 = float(whole.flat[0])
        days = (whole - w0) + fraction
        return cls(w0, float(np.nanmin(days)), float(np.nanmax(days)), step_s)

    @classmethod
    def over(cls, whole, fraction, step_s: float = 3600.0) -> SunTable:
        """Knots only at the whole steps around each instant (cost: the hours used, not the
        span)."""
        whole = np.atleast_1d(np.asarray(whole, dtype=float))
        fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
        w0 = float(whole.flat[0])
        cell = np.floor(((whole - w0) + fraction) * (DAY_S / step_s))
        cells = np.unique(np.concatenate([cell, cell + 1.0]))
        return cls(w0, 0.0, 0.0, step_s, knots=cells * (step_s / DAY_S))

    def teme(self, whole, fraction) -> np.ndarray:
        days = (np.asarray(whole, dtype=float) - self.whole0) + np.asarray(fraction, dtype=float)
        if np.any(days < self.knots[0]) or np.any(days > self.knots[-1]):
            raise ValueError("instant outside the Sun table; build it with SunTable.covering")
        if not self.dense:
            i = np.clip(np.searchsorted(self.knots, days), 1, self.knots.size - 1)
            if np.any(self.knots[i] - self.knots[i - 1] > 1.000001 * self.step_days):
                raise ValueError("instant between the Sun table's knots; build it with .over")
        return np.stack(
            [np.interp(days, self.knots, self.teme_knots[:, k]) for k in range(3)], axis=1
        )

    def itrs(self, whole, fraction) -> np.ndarray:
        theta, _, xp, yp = earth_orientation(whole, fraction)
        r, _ = teme_to_itrs(self.teme(whole, fraction), None, theta, 0.0, xp, yp)
        return r


def shadow_state(r_sat_km, r_sun_km):
    """Sunlit / penumbra / umbra of points at ``r_sat_km`` (conical shadow of a spherical Earth).

    Compares the apparent radii of the Sun and the Earth seen from the point with the angle
    between their centres (Montenbruck and Gill, 3.4.2), done with cosines, not angles:
    penumbra where sep < a_sun + a_earth, umbra where sep <= a_earth - a_sun.
    """
    to_sun = r_sun_km - r_sat_km
    d_sun = np.sqrt(np.einsum("ij,ij->i", to_sun, to_sun))
    d_earth = np.sqrt(np.einsum("ij,ij->i", r_sat_km, r_sat_km))
    sin_s = np.minimum(1.0, SUN_RADIUS_KM / d_sun)
    sin_e = np.minimum(1.0, EARTH_RADIUS_KM / d_earth)
    cos_s = np.sqrt(1.0 - sin_s * sin_s)
    cos_e = np.sqrt(1.0 - sin_e * sin_e)
    cos_sep = -np.einsum("ij,ij->i", to_sun, r_sat_km) / (d_sun * d_earth)
    state = np.full(r_sat_km.shape[0], SUNLIT, dtype=np.int8)
    state[cos_sep > cos_e * cos_s - sin_e * sin_s] = PENUMBRA  # cos(a_earth + a_sun)
    state[cos_sep >= cos_e * cos_s + sin_e * sin_s] = UMBRA  # cos(a_earth - a_sun)
    return state


# --------------------------------------------------------------------------------------------
# Ephemeris


@dataclass
class Ephemeris:
    """Positions over a time grid. Vectors are (N, 3) arrays in km and km/s.

    Fields: ``times`` (UTC Julian dates), ``r_teme_km``/``v_teme_km_s`` (SGP4's TEME),
    ``r_itrs_km``/``v_itrs_km_s`` (Earth-fixed), ``lat_deg``/``lon_deg``/``alt_km`` (WGS84
    geodetic), ``set_index`` and ``age_h`` (element set in force and its signed age in hours),
    ``error`` (SGP4 error code, 0 = good; NaN rows where not 0), ``shadow`` (0 sunlit,
    1 penumbra, 2 umbra; -1 where not computed).
    """

    times: TimeGrid
    catalogue: Catalogue = field(repr=False)
    r_teme_km: np.ndarray = field(repr=False)
    v_teme_km_s: np.ndarray = field(repr=False)
    r_itrs_km: np.ndarray = field(repr=False)
    v_itrs_km_s: np.ndarray = field(repr=False)
    lat_deg: np.ndarray = field(repr=False)
    lon_deg: np.ndarray = field(repr=False)
    alt_km: np.ndarray = field(repr=False)
    set_index: np.ndarray = field(repr=False)
    age_h: np.ndarray = field(repr=False)
    error: np.ndarray = field(repr=False)
    shadow: np.ndarray = field(repr=False)
    sun: SunTable | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def sunlit(self) -> np.ndarray:
        """True where any part of the Sun's disc is visible (sunlit or penumbra)."""
        return (self.shadow == SUNLIT) | (self.shadow == PENUMBRA)

    @property
    def ok(self) -> np.ndarray:
        return self.error == 0

    def error_reasons(self) -> dict[str, int]:
        """SGP4 failure reasons and how many instants each affects."""
        codes, counts = np.unique(self.error[self.error != 0], return_counts=True)
        return {SGP4_ERRORS[int(c)]: int(n) for c, n in zip(codes, counts, strict=True)}

    def iso(self, digits: int = 3) -> list[str]:
        return iso_array(self.times.whole, self.times.fraction, digits)

    def element_set_epochs_iso(self) -> list[str]:
        """Epoch of the set in force at each instant; ``model`` for a modelled trajectory
        (no element set: ``catalogue`` is None)."""
        if self.catalogue is None:
            return ["model"] * len(self)
        labels = np.array([s.epoch_iso for s in self.catalogue.sets])
        return list(labels[self.set_index])

    def __repr__(self) -> str:
        failed = int((~self.ok).sum())
        return (
            f"<Ephemeris NORAD {self.catalogue.norad_id}: {len(self):,} samples "
            f"{self.times.iso(0)[0] if len(self) else '-'} to "
            f"{self.times.iso(0)[-1] if len(self) else '-'} from {len(self.catalogue)} element sets"
            f"{f', SGP4 failed at {failed:,}' if failed else ''}>"
        )

    def to_dataframe(self):
        """The ephemeris as a pandas DataFrame, one row per instant (needs the ``pandas``
        extra). Index ``time_utc`` (timezone-aware UTC); columns ``lat_deg``, ``lon_deg``,
        ``alt_km``, TEME and ITRS positions (km) and velocities (km/s), ``sunlit``, ``shadow``,
        ``element_set_epoch_utc``, ``element_set_age_h`` and ``sgp4_error`` (0 = good)."""
        from .optional import require_pandas
        from .times import datetime64_array

        pd = require_pandas("Ephemeris.to_dataframe()")
        index = pd.DatetimeIndex(
            datetime64_array(self.times.whole, self.times.fraction), name="time_utc"
        ).tz_localize("UTC")
        columns = {"lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "alt_km": self.alt_km}
        for frame, r, v in (
            ("teme", self.r_teme_km, self.v_teme_km_s),
            ("itrs", self.r_itrs_km, self.v_itrs_km_s),
        ):
            for k, axis in enumerate("xyz"):
                columns[f"{axis}_{frame}_km"] = r[:, k]
            for k, axis in enumerate("xyz"):
                columns[f"v{axis}_{frame}_km_s"] = v[:, k]
        columns["sunlit"] = self.sunlit
        columns["shadow"] = self.shadow
        columns["element_set_epoch_utc"] = self.element_set_epochs_iso()
        columns["element_set_age_h"] = self.age_h
        columns["sgp4_error"] = self.error
        return pd.DataFrame(columns, index=index)


def _as_grid(times) -> TimeGrid:
    if isinstance(times, TimeGrid):
        return times
    if hasattr(times, "tai_fraction"):
        return TimeGrid.from_skyfield(times)
    return TimeGrid.from_datetimes(times)


#: Instants per chunk in :func:`propagate` (256 KiB per temporary column; small enough that the
#: processes sharing a long track end within about 25 ms of each other).
PROPAGATE_CHUNK = 1 << 15
#: Fewest instants per process for which :func:`propagate` forks a worker by itself (measured
#: in benchmarks/RESULTS.md: below about 2 x 100,000 instants a second process does not pay).
PARALLEL_MIN_INSTANTS = 100_000


def propagate(
    catalogue: Catalogue,
    times=None,
    *,
    start=None,
    end=None,
    step_s=None,
    sunlight: bool = True,
    max_samples: int = 20_000_000,
    workers: int | None = None,
) -> Ephemeris:
    """Propagate the catalogue over a grid of instants.

    ``times`` is a :class:`~sim.times.TimeGrid`, a skyfield ``Time`` or a list of datetimes /
    ISO strings; or give ``start``, ``end`` and ``step_s`` instead.

    Long grids (``PARALLEL_MIN_INSTANTS`` per core or more) are computed chunk by chunk by
    this process and forked worker processes at the same time (:mod:`sim.parallel`); the
    result is bit-identical to one process. ``workers`` sets the
    number of processes (1: this one only); the environment variable ``SIM_WORKERS`` caps it.
    """
    if times is None:
        if start is None or end is None or step_s is None:
            raise TypeError("propagate needs times, or start, end and step_s")
        trust.check_memory(min(trust.samples_in_span(start, end, step_s), max_samples), "track")
        grid = TimeGrid.span(start, end, step_s, max_samples=max_samples)
    else:
        grid = _as_grid(times)
    whole = np.ascontiguousarray(grid.whole, dtype=np.float64)
    fraction = np.ascontiguousarray(grid.fraction, dtype=np.float64)
    n = len(grid)
    if n:
        _check_span(catalogue, whole, fraction)  # refused before any work
    sun = SunTable.covering(whole, fraction) if sunlight and n else None
    count = parallel.worker_count(n, PARALLEL_MIN_INSTANTS, workers)
    out = parallel.empty(
        {
            "r_teme": ((n, 3), "f8"),
            "v_teme": ((n, 3), "f8"),
            "r_itrs": ((n, 3), "f8"),
            "v_itrs": ((n, 3), "f8"),
            "lat": ((n,), "f8"),
            "lon": ((n,), "f8"),
            "alt": ((n,), "f8"),
            "age_h": ((n,), "f8"),
            "set_index": ((n,), "i2"),
            "error": ((n,), "u1"),
            "shadow": ((n,), "i1"),
        },
        shared=False,  # private memory, written by the workers through process_vm_writev
    )
    size = _chunk_size(n)
    chunks = -(-n // size)
    flags = parallel.empty(
        {
            "good": ((chunks,), "?"),  # per chunk: SGP4 succeeded somewhere
            "refused": ((chunks,), "?"),  # per chunk: a state no orbit has (check_states)
        },
        shared=count > 1,
    )
    fill = functools.partial(_propagate_range, catalogue, whole, fraction, sun, flags, size)
    parallel.run(fill, [(c, min(n, c + size)) for c in range(0, n, size)], out, count)
    if flags["refused"].any() or (n > 1 and not flags["good"].any()):
        # raise what one check over the whole grid raises (the chunks only flagged it)
        catalogue.check_states(
            whole, fraction, out["set_index"], out["r_teme"], out["v_teme"], out["error"]
        )
    return Ephemeris(
        times=grid,
        catalogue=catalogue,
        r_teme_km=out["r_teme"],
        v_teme_km_s=out["v_teme"],
        r_itrs_km=out["r_itrs"],
        v_itrs_km_s=out["v_itrs"],
        lat_deg=out["lat"],
        lon_deg=out["lon"],
        alt_km=out["alt"],
        set_index=out["set_index"],
        age_h=out["age_h"],
        error=out["error"],
        shadow=out["shadow"],
        sun=sun,
    )


def _check_span(catalogue: Catalogue, whole, fraction) -> None:
    """``catalogue.check_span`` (the trust rule), in 3 ms instead of 25 for a million
    time-ordered instants: there the instants of each element set form one run, the age grows
    along it, so the ages at the runs' ends bound all the others; only when one of those comes
    within a microday of the limit (or the instants are not in order, or not finite) does the
    rule itself look at every instant. Either way it raises exactly what the rule raises."""
    n = whole.size
    if n > 1 and _in_order(whole, fraction):
        jd_first, jd_last = whole[0] + fraction[0], whole[-1] + fraction[-1]
        trust.check_instants(float(jd_first), float(jd_last))
        # where each set starts (as np.searchsorted(jd, boundaries) finds it, without the whole
        # array of jd: for 60 days at 1 s a fresh 41 MB, faulted in before any work could start)
        bounds = catalogue.boundaries()
        inside = bounds[(bounds > jd_first) & (bounds <= jd_last)]
        jd_at = functools.partial(_jd_at, whole, fraction)
        first = [bisect.bisect_left(range(n), b, key=jd_at) for b in inside.tolist()]
        ends = np.unique(np.clip(np.array([0, n - 1, *first, *[k - 1 for k in first]]), 0, None))
        age_d = catalogue.age_hours(whole[ends], fraction[ends]) / 24.0
        if bool(np.all(np.abs(age_d) < catalogue.max_extrapolation_days - 1e-6)):
            return
    catalogue.check_span(whole, fraction)


def _in_order(whole, fraction, block: int = 1 << 16) -> bool:
    """True where ``whole + fraction`` never decreases (and is not NaN), block by block."""
    for a in range(0, whole.size - 1, block):
        jd = whole[a : a + block + 1] + fraction[a : a + block + 1]
        if not bool(np.all(jd[1:] >= jd[:-1])):
            return False
    return True


def _jd_at(whole, fraction, i: int):
    return whole[i] + fraction[i]


def _chunk_size(n: int) -> int:
    """Instants per chunk for a grid of ``n``: equal chunks of at most ``PROPAGATE_CHUNK``. A
    function of ``n`` only: one process and several see the same chunks, hence the same bits."""
    chunks = -(-n // PROPAGATE_CHUNK)
    return max(1, -(-n // chunks)) if n else PROPAGATE_CHUNK


def _propagate_range(
    catalogue: Catalogue, whole, fraction, sun, flags, size: int, a: int, b: int, out
) -> None:
    """Everything :func:`propagate` computes for instants ``a..b`` (``a`` a multiple of the
    chunk ``size``), chunk by chunk, written into the arrays ``out`` (whose row 0 is instant
    ``a``). The temporaries stay small (cache-sized and reused), so the cost grows linearly
    with the span. Trust refusals of the states are only flagged per chunk in ``flags``;
    :func:`propagate` raises them over the whole grid."""
    for c in range(a, b, size):
        part = slice(c, min(b, c + size))
        rows = slice(c - a, part.stop - a)
        w, f = whole[part], fraction[part]
        index = catalogue.index_at(w, f)
        out["set_index"][rows] = index
        r, v, err = out["r_teme"][rows], out["v_teme"][rows], out["error"][rows]
        _sgp4_into(catalogue, w, f, index, r, v, err)
        good = bool((err == 0).any())
        flags["good"][c // size] = good
        flags["refused"][c // size] = False
        try:
            catalogue.check_states(w, f, index, r, v, err)  # NaN rows below 80 km
        except TimeSpanError:
            # with a good state here: one no orbit has (raised over the whole grid later);
            # without: SGP4 failed over this chunk, which only the whole grid may refuse
            flags["refused"][c // size] = good
        r_cols, v_cols = _teme_to_itrs_columns(r, v, *earth_orientation(w, f))
        _geodetic_columns(*r_cols, out["lat"][rows], out["lon"][rows], out["alt"][rows])
        for k in range(3):
            out["r_itrs"][rows, k] = r_cols[k]
            out["v_itrs"][rows, k] = v_cols[k]
        out["age_h"][rows] = catalogue.age_hours(w, f, index)
        if sun is None:
            out["shadow"][rows] = -1
        else:
            shadow = shadow_state(r, sun.teme(w, f))
            shadow[err != 0] = -1
            out["shadow"][rows] = shadow


def _sgp4_into(catalogue: Catalogue, whole, fraction, index, r, v, err) -> None:
    """SGP4 states at time-ordered instants into ``r``, ``v``, ``err``: one buffer-filling call
    (``Satrec._sgp4``, behind python-sgp4's ``sgp4_array``) per run of one element set; where
    that call is missing or the instants are not in runs, one ``sgp4_array`` per set."""
    cuts = np.flatnonzero(index[1:] != index[:-1]) + 1
    fill = getattr(catalogue.sets[0].satrec, "_sgp4", None)
    if fill is not None and cuts.size + 1 <= len(catalogue):
        bounds = [0, *cuts.tolist(), index.size]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            catalogue.sets[int(index[a])].satrec._sgp4(
                whole[a:b], fraction[a:b], err[a:b], r[a:b], v[a:b]
            )
        return
    for k in np.unique(index):
        sel = np.nonzero(index == k)[0]
        e, rr, vv = catalogue.sets[int(k)].satrec.sgp4_array(whole[sel], fraction[sel])
        r[sel] = rr
        v[sel] = vv
        err[sel] = e


def _teme_by_runs(catalogue: Catalogue, whole, fraction, index=None):
    """``catalogue.teme`` for a time-ordered grid: one SGP4 call per run of one element set,
    written straight into the output arrays (no gathering, no copies).

    Uses ``Satrec._sgp4``, the buffer-filling call behind python-sgp4's ``sgp4_array``; where it
    is missing, or the grid is not in runs, this falls back to ``catalogue.teme``.
    """
    n = whole.size
    if index is None:
        index = catalogue.index_at(whole, fraction)
    cuts = np.flatnonzero(index[1:] != index[:-1]) + 1 if n else np.array([], dtype=int)
    fill = getattr(catalogue.sets[0].satrec, "_sgp4", None)
    if n == 0 or fill is None or cuts.size + 1 > len(catalogue):
        return catalogue.teme(whole, fraction, index)
    whole = np.ascontiguousarray(whole, dtype=np.float64)
    fraction = np.ascontiguousarray(fraction, dtype=np.float64)
    catalogue.check_span(whole, fraction)  # the one trust rule, as catalogue.teme applies it
    out = parallel.empty({"r": ((n, 3), "f8"), "v": ((n, 3), "f8"), "err": ((n,), "u1")}, False)
    r, v, err = out["r"], out["v"], out["err"]
    bounds = np.concatenate([[0], cuts, [n]])
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        catalogue.sets[int(index[a])].satrec._sgp4(
            whole[a:b], fraction[a:b], err[a:b], r[a:b], v[a:b]
        )
    catalogue.check_states(whole, fraction, index, r, v, err)
    return r, v, err


def itrs_at(catalogue: Catalogue, whole, fraction) -> np.ndarray:
    """ITRS positions (km) at arbitrary instants; used by the event searches."""
    whole = np.atleast_1d(np.asarray(whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
    r_teme, _v, _err = catalogue.teme(whole, fraction)
    theta, _, xp, yp = earth_orientation(whole, fraction)
    return teme_to_itrs(r_teme, None, theta, 0.0, xp, yp)[0]


def subsolar_point(whole: float, fraction: float, sun: SunTable | None = None):
    """Geodetic latitude and longitude (deg) where the Sun stands at the zenith.

    Pass the ephemeris's ``sun`` table when the instant lies inside it, to reuse it.
    """
    if sun is None:
        sun = SunTable.covering(np.array([whole]), np.array([fraction]))
    r = sun.itrs(np.array([whole]), np.array([fraction]))[0]
    lat = np.degrees(np.arctan2(r[2], np.hypot(r[0], r[1])))
    lon = np.degrees(np.arctan2(r[1], r[0]))
    return float(lat), float(lon)
