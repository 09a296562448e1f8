"""Ground-track geometry: antimeridian splitting, revolutions, days, visibility footprints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ephemeris import WGS84_A_KM


@dataclass
class TrackSegment:
    """A piece of ground track that does not cross the antimeridian.

    ``index`` holds the ephemeris rows; ``lon_deg``/``lat_deg`` may carry an extra point
    interpolated onto +/-180 deg at either end so that lines reach the map edge. ``rows`` gives,
    for every point of ``lon_deg``, the ephemeris row it stands for (an edge point stands for
    its nearest sample), so per-sample data such as illumination can be looked up per point.
    """

    index: np.ndarray
    lon_deg: np.ndarray
    lat_deg: np.ndarray
    rows: np.ndarray


def split_antimeridian(lon_deg, lat_deg, index=None, *, edge_points: bool = True):
    """Split a track wherever consecutive longitudes jump by more than 180 deg.

    NaN rows (SGP4 failures) also end a segment. Returns a list of :class:`TrackSegment`.
    """
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    if index is None:
        index = np.arange(lon.size)
    good = np.isfinite(lon) & np.isfinite(lat)
    jumps = np.abs(np.diff(lon)) > 180.0
    breaks = np.nonzero(jumps | ~good[1:] | ~good[:-1])[0] + 1
    segments = []
    bounds = np.concatenate([[0], breaks, [lon.size]])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        sel = np.arange(a, b)
        sel = sel[good[sel]]
        if sel.size == 0:
            continue
        seg_lon, seg_lat, rows = lon[sel], lat[sel], index[sel]
        if edge_points:
            if a > 0 and good[a - 1] and jumps[a - 1]:
                seg_lon, seg_lat = _prepend_edge(lon[a - 1], lat[a - 1], seg_lon, seg_lat)
                rows = np.concatenate([rows[:1], rows])
            if b < lon.size and good[b] and jumps[b - 1]:
                seg_lon, seg_lat = _append_edge(seg_lon, seg_lat, lon[b], lat[b])
                rows = np.concatenate([rows, rows[-1:]])
        segments.append(TrackSegment(index[sel], seg_lon, seg_lat, rows))
    return segments


def _edge_crossing(lon_a, lat_a, lon_b, lat_b):
    """Latitude where the path a -> b meets the antimeridian, and the side a is on."""
    side = 180.0 if lon_a > 0 else -180.0
    lon_b_unwrapped = lon_b + 360.0 if side > 0 else lon_b - 360.0
    frac = (side - lon_a) / (lon_b_unwrapped - lon_a)
    return side, lat_a + frac * (lat_b - lat_a)


def _prepend_edge(lon_prev, lat_prev, lon, lat):
    side, lat_edge = _edge_crossing(lon[0], lat[0], lon_prev, lat_prev)
    return np.concatenate([[side], lon]), np.concatenate([[lat_edge], lat])


def _append_edge(lon, lat, lon_next, lat_next):
    side, lat_edge = _edge_crossing(lon[-1], lat[-1], lon_next, lat_next)
    return np.concatenate([lon, [side]]), np.concatenate([lat, [lat_edge]])


def revolution_starts(lat_deg) -> np.ndarray:
    """Rows where a new revolution begins (ascending equator crossing)."""
    lat = np.asarray(lat_deg, dtype=float)
    return np.nonzero((lat[:-1] < 0.0) & (lat[1:] >= 0.0))[0] + 1


def day_starts(times_whole, times_fraction) -> np.ndarray:
    """Rows where a new UTC day begins (first row included)."""
    day = np.floor(np.asarray(times_whole) + np.asarray(times_fraction) + 0.5)
    return np.concatenate([[0], np.nonzero(np.diff(day) != 0)[0] + 1])


def footprint(
    lat_deg: float, lon_deg: float, altitude_km: float, min_elevation_deg: float, points: int = 181
):
    """The circle on the ground from which a satellite at ``altitude_km`` is seen above
    ``min_elevation_deg`` (spherical Earth of the equatorial radius).

    Returns (lon_deg, lat_deg) arrays of the circle around the point below the satellite, or
    around a station: the same circle bounds where the satellite must be for that station to see
    it above the mask.
    """
    eps = np.radians(min_elevation_deg)
    rho = np.arccos(WGS84_A_KM / (WGS84_A_KM + altitude_km) * np.cos(eps)) - eps
    lat0 = np.radians(lat_deg)
    lon0 = np.radians(lon_deg)
    bearing = np.linspace(0.0, 2.0 * np.pi, points)
    lat = np.arcsin(np.sin(lat0) * np.cos(rho) + np.cos(lat0) * np.sin(rho) * np.cos(bearing))
    lon = lon0 + np.arctan2(
        np.sin(bearing) * np.sin(rho) * np.cos(lat0), np.cos(rho) - np.sin(lat0) * np.sin(lat)
    )
    lon = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    return lon, np.degrees(lat)


def footprint_radius_km(altitude_km: float, min_elevation_deg: float) -> float:
    """Ground distance from the sub-satellite point to the footprint edge."""
    eps = np.radians(min_elevation_deg)
    rho = np.arccos(WGS84_A_KM / (WGS84_A_KM + altitude_km) * np.cos(eps)) - eps
    return float(rho * WGS84_A_KM)
