"""Vectorised propagation over a time grid: TEME, ITRS, geodetic coordinates and sunlight.

One ``sgp4_array`` call per element-set segment; TEME -> ITRS by the GMST 1982 angle of UT1
(polar motion neglected, a few metres); geodetic latitude/longitude/altitude on WGS84; the Sun
from DE421 (skyfield-data, no download) for the Earth's conical shadow.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
from sgp4.api import SGP4_ERRORS
from skyfield.sgp4lib import theta_GMST1982

from .elements import Catalogue, trust
from .times import DAY_S, TimeGrid, _utc_jd_to_skyfield, iso_array, ut1_minus_utc_s

WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
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
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        # the wheel's IERS table is past its date; the built-in timescale is used instead
        warnings.simplefilter("ignore")
        path = get_skyfield_data_path()
    return Loader(path, verbose=False, expire=False)("de421.bsp")


# --------------------------------------------------------------------------------------------
# frames


def gmst_rad(whole, fraction, dut1_s=None):
    """GMST 1982 (radians) and its rate (rad/day) at UTC Julian dates, UT1 from skyfield.

    Over spans up to 30 days the angle is advanced linearly from the first instant with the
    rate there: the neglected quadratic term is below 1e-7 s of time, so the result equals
    skyfield's ``theta_GMST1982`` to a few nanoradians at a fraction of the cost.
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
    if np.max(np.abs(days)) > 30.0:
        return theta_GMST1982(whole, frac_ut1)
    theta0, rate = theta_GMST1982(w0, f0)
    theta = days * rate
    theta += theta0
    return theta, np.full(whole.shape, rate)


def teme_to_itrs(r_teme, v_teme, theta, theta_dot_rad_day):
    """Rotate (N, 3) TEME vectors to ITRS (no polar motion); velocity includes Earth rotation."""
    c = np.cos(theta)
    s = np.sin(theta)
    x, y, z = r_teme[:, 0], r_teme[:, 1], r_teme[:, 2]
    r = np.empty_like(r_teme)
    r[:, 0] = c * x + s * y
    r[:, 1] = c * y - s * x
    r[:, 2] = z
    if v_teme is None:
        return r, None
    omega = np.asarray(theta_dot_rad_day) / DAY_S
    vx, vy, vz = v_teme[:, 0], v_teme[:, 1], v_teme[:, 2]
    v = np.empty_like(v_teme)
    v[:, 0] = c * vx + s * vy + omega * r[:, 1]
    v[:, 1] = c * vy - s * vx - omega * r[:, 0]
    v[:, 2] = vz
    return r, v


def itrs_to_teme(r_itrs, theta):
    c = np.cos(theta)
    s = np.sin(theta)
    x, y, z = r_itrs[:, 0], r_itrs[:, 1], r_itrs[:, 2]
    return np.stack([c * x - s * y, s * x + c * y, z], axis=1)


def geodetic(r_itrs):
    """WGS84 geodetic latitude (deg), longitude (deg, -180..180) and height (km) of (N, 3) km."""
    x, y, z = r_itrs[:, 0], r_itrs[:, 1], r_itrs[:, 2]
    p = np.hypot(x, y)
    lon = np.degrees(np.arctan2(y, x))
    lat = np.arctan2(z, p * (1.0 - WGS84_E2))
    for _ in range(3):  # converges to far below a millimetre for heights under 10,000 km
        s = np.sin(lat)
        n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * s * s)
        lat = np.arctan2(z + n * WGS84_E2 * s, p)
    s = np.sin(lat)
    c = np.cos(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * s * s)
    alt = p * c + z * s - n * (1.0 - WGS84_E2 * s * s)
    return np.degrees(lat), lon, alt


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


class SunTable:
    """The Sun's geometric geocentric position sampled every ``step_s`` and interpolated.

    Sampled in TEME, where the Sun moves about 1 deg a day, so linear interpolation over
    10 minutes is good to about 1e-7 of the distance (a few arcseconds at most).
    """

    def __init__(self, whole0: float, days_lo: float, days_hi: float, step_s: float = 600.0):
        n = max(2, int(np.ceil((days_hi - days_lo) * DAY_S / step_s)) + 2)
        self.whole0 = whole0
        self.knots = np.linspace(days_lo - step_s / DAY_S, days_hi + step_s / DAY_S, n)
        t = _utc_jd_to_skyfield(np.full(n, whole0), self.knots)
        eph = planets()
        from skyfield.framelib import itrs

        sun_itrs = (eph["sun"] - eph["earth"]).at(t).frame_xyz(itrs).km.T
        theta, _ = gmst_rad(np.full(n, whole0), self.knots)
        self.teme_knots = itrs_to_teme(sun_itrs, theta)

    @classmethod
    def covering(cls, whole, fraction, step_s: float = 600.0) -> SunTable:
        whole = np.asarray(whole, dtype=float)
        fraction = np.asarray(fraction, dtype=float)
        w0 = float(whole.flat[0])
        days = (whole - w0) + fraction
        return cls(w0, float(np.nanmin(days)), float(np.nanmax(days)), step_s)

    def teme(self, whole, fraction) -> np.ndarray:
        days = (np.asarray(whole, dtype=float) - self.whole0) + np.asarray(fraction, dtype=float)
        if np.any(days < self.knots[0]) or np.any(days > self.knots[-1]):
            raise ValueError("instant outside the Sun table; build it with SunTable.covering")
        return np.stack(
            [np.interp(days, self.knots, self.teme_knots[:, k]) for k in range(3)], axis=1
        )

    def itrs(self, whole, fraction, theta=None) -> np.ndarray:
        if theta is None:
            theta, _ = gmst_rad(whole, fraction)
        r, _ = teme_to_itrs(self.teme(whole, fraction), None, theta, 0.0)
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
        labels = np.array([s.epoch_iso for s in self.catalogue.sets])
        return list(labels[self.set_index])


def _as_grid(times) -> TimeGrid:
    if isinstance(times, TimeGrid):
        return times
    if hasattr(times, "tai_fraction"):
        return TimeGrid.from_skyfield(times)
    return TimeGrid.from_datetimes(times)


def propagate(
    catalogue: Catalogue,
    times=None,
    *,
    start=None,
    end=None,
    step_s=None,
    sunlight: bool = True,
    max_samples: int = 20_000_000,
) -> Ephemeris:
    """Propagate the catalogue over a grid of instants.

    ``times`` is a :class:`~sim.times.TimeGrid`, a skyfield ``Time`` or a list of datetimes /
    ISO strings; or give ``start``, ``end`` and ``step_s`` instead.
    """
    if times is None:
        if start is None or end is None or step_s is None:
            raise TypeError("propagate needs times, or start, end and step_s")
        trust.check_memory(min(trust.samples_in_span(start, end, step_s), max_samples), "track")
        grid = TimeGrid.span(start, end, step_s, max_samples=max_samples)
    else:
        grid = _as_grid(times)
    whole, fraction = grid.whole, grid.fraction
    index = catalogue.index_at(whole, fraction)
    r_teme, v_teme, err = catalogue.teme(whole, fraction, index)
    dut1 = ut1_minus_utc_s(whole, fraction)
    theta, theta_dot = gmst_rad(whole, fraction, dut1)
    r_itrs, v_itrs = teme_to_itrs(r_teme, v_teme, theta, theta_dot)
    lat, lon, alt = geodetic(r_itrs)
    shadow = np.full(len(grid), -1, dtype=np.int8)
    sun = None
    if sunlight:
        sun = SunTable.covering(whole, fraction)
        shadow = shadow_state(r_teme, sun.teme(whole, fraction))
        shadow[err != 0] = -1
    return Ephemeris(
        times=grid,
        catalogue=catalogue,
        r_teme_km=r_teme,
        v_teme_km_s=v_teme,
        r_itrs_km=r_itrs,
        v_itrs_km_s=v_itrs,
        lat_deg=lat,
        lon_deg=lon,
        alt_km=alt,
        set_index=index.astype(np.int16),
        age_h=catalogue.age_hours(whole, fraction, index),
        error=err,
        shadow=shadow,
        sun=sun,
    )


def itrs_at(catalogue: Catalogue, whole, fraction) -> np.ndarray:
    """ITRS positions (km) at arbitrary instants; used by the event searches."""
    whole = np.atleast_1d(np.asarray(whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(fraction, dtype=float))
    r_teme, _v, _err = catalogue.teme(whole, fraction)
    theta, _ = gmst_rad(whole, fraction)
    return teme_to_itrs(r_teme, None, theta, 0.0)[0]


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
