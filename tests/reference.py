"""Independent references for the tests of derived quantities (issue 18).

Nothing here imports ``sim``: element sets are read from the TLE file by skyfield, the set in
force is chosen here, times are built from calendar UTC, look angles come from skyfield's
``(sat - topos).at(t).altaz()``, the Sun from DE421 through skyfield, and the Earth's shadow from
a conical-shadow computation written below in its own geometry (tangent cones behind the Earth),
not the apparent-radius comparison the code uses.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
from skyfield.api import EarthSatellite, Loader, load, wgs84
from skyfield.framelib import itrs

#: Julian date of 2024-01-01 00:00 UTC; every instant of the bundled data lies in 2024 (no leap
#: second), so UTC seconds from it are plain seconds.
JD_2024 = 2460310.5
DAY_S = 86400.0
EARTH_RADIUS_KM = 6378.137  # WGS84 equatorial radius: the sphere of the shadow model
SUN_RADIUS_KM = 695_700.0  # IAU 2015 nominal solar radius


#: Whether the Earth-fixed references include polar motion (skyfield with the IERS table that
#: ships in skyfield-data). sim's ITRS neglects it today (about 10 m); set this to True when
#: sim.ephemeris applies polar motion (issue 14), and the references follow.
POLAR_MOTION = True


@functools.cache
def ts():
    t = load.timescale(builtin=True)
    if POLAR_MOTION:
        from skyfield.data import iers
        from skyfield_data import get_skyfield_data_path

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = Path(get_skyfield_data_path()) / "finals2000A.all"
        with open(path, "rb") as f:
            finals = iers.parse_x_y_dut1_from_finals_all(f)
        iers.install_polar_motion_table(t, finals)
    return t


@functools.cache
def de421():
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = get_skyfield_data_path()
    return Loader(path, verbose=False, expire=False)("de421.bsp")


# Reference instants are UTC seconds since 2024-01-01 00:00 (float64 resolves 2 ns there);
# a Julian date in one float resolves only 40 us, 0.3 m of the ISS's flight.


def sec_of_jd(jd):
    """Seconds of UTC Julian dates given as one float (as passes store them)."""
    return (np.asarray(jd, dtype=float) - JD_2024) * DAY_S


def sec_of_split(whole, fraction):
    """Seconds of (whole, fraction) UTC Julian dates, without losing precision."""
    return ((np.asarray(whole, dtype=float) - JD_2024) + np.asarray(fraction, dtype=float)) * DAY_S


def sec_of_iso(text: str) -> float:
    """Seconds of an ISO 8601 UTC text, by the calendar (independent of sim.times)."""
    from datetime import UTC, datetime

    dt = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return (dt - datetime(2024, 1, 1, tzinfo=UTC)).total_seconds()


def utc(sec):
    """skyfield Time of reference instants (seconds since 2024-01-01 UTC)."""
    sec = np.asarray(sec, dtype=float)
    assert np.all((sec >= 0) & (sec < 366 * DAY_S)), "reference times cover 2024 only"
    return ts().utc(2024, 1, 1, 0, 0, sec)


def split_jd(sec):
    """(whole, fraction) UTC Julian dates of reference instants, for python-sgp4."""
    sec = np.asarray(sec, dtype=float)
    days = np.floor(sec / DAY_S)
    return JD_2024 + days, (sec - days * DAY_S) / DAY_S


@functools.cache
def tle_satellites(path) -> tuple:
    """EarthSatellite per 3LE record of a TLE file, sorted by epoch."""
    lines = [ln.rstrip() for ln in Path(path).read_text().splitlines() if ln.strip()]
    sats = []
    for i, ln in enumerate(lines):
        if ln.startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 "):
            sats.append(EarthSatellite(ln, lines[i + 1], "ref", ts()))
    return tuple(sorted(sats, key=lambda s: s.epoch.tt))


def epoch_sec(sat) -> float:
    """A set's epoch (reference seconds) from the TLE's own year/day-of-year field."""
    yy = int(sat.model.epochyr)
    year = 2000 + yy if yy < 57 else 1900 + yy
    assert year == 2024
    return (float(sat.model.epochdays) - 1.0) * DAY_S


def iso_of_sec(sec: float, digits: int = 3) -> str:
    """ISO 8601 text of reference seconds, rounded to ``digits`` decimals of a second."""
    from datetime import UTC, datetime, timedelta

    dt = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=round(float(sec), digits))
    text = dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text[: 20 + digits] if digits else text[:19]) + "Z"


def epoch_iso_s(sat) -> str:
    """The set's epoch rounded to the second, as the code names sets ('...Z')."""
    return iso_of_sec(epoch_sec(sat), 0)


def set_in_force(sats, sec):
    """Index of the set in force at reference instants, rule 'epoch': the latest set whose epoch
    is at or before the instant; before the first epoch, the first set."""
    epochs = np.array([epoch_sec(s) for s in sats])
    sec = np.atleast_1d(np.asarray(sec, dtype=float))
    return np.maximum(0, np.sum(epochs[None, :] <= sec[:, None], axis=1) - 1)


def per_set(sats, sec, func):
    """Apply ``func(sat, instants) -> array (n, ...)`` with the set in force at each instant."""
    sec = np.atleast_1d(np.asarray(sec, dtype=float))
    idx = set_in_force(sats, sec)
    out = None
    for k in np.unique(idx):
        sel = idx == k
        part = np.asarray(func(sats[k], sec[sel]))
        if out is None:
            out = np.empty((sec.size,) + part.shape[1:], dtype=part.dtype)
        out[sel] = part
    return out


def look(sats, lat_deg, lon_deg, elevation_m, sec):
    """Elevation (deg), azimuth (deg) and range (km) by skyfield, set in force at each instant:
    an (n, 3) array."""
    topos = wgs84.latlon(lat_deg, lon_deg, elevation_m=elevation_m)

    def f(sat, j):
        alt, az, dist = (sat - topos).at(utc(j)).altaz()
        return np.column_stack([alt.degrees, az.degrees, dist.km])

    return per_set(sats, sec, f)


def gcrs_sat_km(sats, sec):
    return per_set(sats, sec, lambda sat, j: sat.at(utc(j)).position.km.T)


def itrs_sat_km(sats, sec):
    return per_set(sats, sec, lambda sat, j: sat.at(utc(j)).frame_xyz(itrs).km.T)


def geodetic_sat(sats, sec):
    """(n, 3): WGS84 latitude, longitude (deg) and height (km) by skyfield."""

    def f(sat, j):
        pos = sat.at(utc(j))
        ll = wgs84.latlon_of(pos)
        return np.column_stack([ll[0].degrees, ll[1].degrees, wgs84.height_of(pos).km])

    return per_set(sats, sec, f)


def gcrs_sun_km(sec):
    e = de421()
    return (e["sun"] - e["earth"]).at(utc(sec)).position.km.T


def sun_altitude_deg(lat_deg, lon_deg, elevation_m, sec):
    """Geometric altitude of the Sun's centre at a place (no refraction)."""
    e = de421()
    topos = wgs84.latlon(lat_deg, lon_deg, elevation_m=elevation_m)
    alt, _az, _d = (e["sun"] - (e["earth"] + topos)).at(utc(sec)).altaz()
    return alt.degrees


def umbra_depth_km(r_sat_km, r_sun_km):
    """Signed distance (km) of points inside the umbra cone (positive: in the umbra).

    The umbra is the cone tangent to the Sun and to a spherical Earth, its vertex behind the
    Earth at L = R_e / sin(a) from the centre, a = asin((R_sun - R_e) / d_sun); at distance s
    along the anti-Sun axis its radius is (L - s) tan(a). A point in front of the Earth (s <= 0)
    is never in the umbra.
    """
    r = np.atleast_2d(r_sat_km)
    sun = np.atleast_2d(r_sun_km)
    d = np.linalg.norm(sun, axis=1)
    u = -sun / d[:, None]  # anti-Sun unit vector
    s = np.einsum("ij,ij->i", r, u)
    perp = np.linalg.norm(r - s[:, None] * u, axis=1)
    a = np.arcsin((SUN_RADIUS_KM - EARTH_RADIUS_KM) / d)
    vertex = EARTH_RADIUS_KM / np.sin(a)
    radius = (vertex - s) * np.tan(a)
    # distance to the cone's surface measured perpendicular to it
    depth = (radius - perp) * np.cos(a)
    return np.where(s > 0, depth, -np.abs(depth) - 1.0)


def penumbra_depth_km(r_sat_km, r_sun_km):
    """Signed distance inside the penumbra cone (tangent cones crossing between the bodies,
    vertex in front of the Earth at R_e / sin(b), b = asin((R_sun + R_e) / d_sun))."""
    r = np.atleast_2d(r_sat_km)
    sun = np.atleast_2d(r_sun_km)
    d = np.linalg.norm(sun, axis=1)
    u = -sun / d[:, None]
    s = np.einsum("ij,ij->i", r, u)
    perp = np.linalg.norm(r - s[:, None] * u, axis=1)
    b = np.arcsin((SUN_RADIUS_KM + EARTH_RADIUS_KM) / d)
    vertex = -EARTH_RADIUS_KM / np.sin(b)  # on the Sun's side of the Earth
    radius = (s - vertex) * np.tan(b)
    return np.where(s > 0, (radius - perp) * np.cos(b), -1.0)


def teme_sat_km(sats, sec):
    """SGP4's TEME positions straight from python-sgp4 (UTC Julian dates, as AIAA 2006-6753)."""

    def f(sat, j):
        err, r, _v = sat.model.sgp4_array(*split_jd(j))
        assert not err.any()
        return r

    return per_set(sats, sec, f)


def teme_sun_km(sec, knot_s=300.0):
    """The Sun in skyfield's TEME frame, evaluated every ``knot_s`` around the instants and
    interpolated linearly (the Sun moves 0.003 deg in 5 minutes: a sub-metre error)."""
    from skyfield.sgp4lib import TEME

    sec = np.atleast_1d(np.asarray(sec, dtype=float))
    k = np.floor(sec / knot_s)
    knots = np.unique(np.concatenate([k, k + 1])) * knot_s
    e = de421()
    xyz = (e["sun"] - e["earth"]).at(utc(knots)).frame_xyz(TEME).km
    return np.column_stack([np.interp(sec, knots, xyz[i]) for i in range(3)])


def in_umbra(sats, sec):
    sec = np.atleast_1d(np.asarray(sec, dtype=float))
    return umbra_depth_km(teme_sat_km(sats, sec), teme_sun_km(sec)) > 0


def sun_altitude_interp_deg(lat_deg, lon_deg, elevation_m, sec, knot_s=60.0):
    """:func:`sun_altitude_deg` at knots every ``knot_s`` around the instants, interpolated
    linearly (curvature error below 1e-4 deg, some 0.03 s of twilight)."""
    sec = np.atleast_1d(np.asarray(sec, dtype=float))
    k = np.floor(sec / knot_s)
    knots = np.unique(np.concatenate([k, k + 1])) * knot_s
    return np.interp(sec, knots, sun_altitude_deg(lat_deg, lon_deg, elevation_m, knots))


def bisect_time(func, lo, hi, tol_s=0.001):
    """Where a boolean function of reference seconds changes between lo and hi (scalars)."""
    f_lo = func(np.array([lo]))[0]
    while hi - lo > tol_s:
        mid = 0.5 * (lo + hi)
        if func(np.array([mid]))[0] == f_lo:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def bisect_many(func, lo, hi, tol_s=0.001):
    """Vectorised :func:`bisect_time`: ``func(sec_array, selection) -> bool array`` changes value
    between each ``lo`` and ``hi``; ``selection`` indexes the pairs being evaluated."""
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    allsel = np.arange(lo.size)
    f_lo = func(lo, allsel)
    while lo.size and np.max(hi - lo) > tol_s:
        mid = 0.5 * (lo + hi)
        same = func(mid, allsel) == f_lo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def magnitude(range_km, phase_rad, standard=-1.8):
    """Diffuse sphere (Lambert): brightness ~ (sin p + (pi - p) cos p) / pi relative to full
    phase; -1.8 at 1000 km and p = 90 deg, where the phase function is 1/pi of full phase."""
    f = (np.sin(phase_rad) + (np.pi - phase_rad) * np.cos(phase_rad)) / np.pi
    f90 = 1.0 / np.pi
    return standard + 5 * np.log10(range_km / 1000.0) - 2.5 * np.log10(f / f90)
