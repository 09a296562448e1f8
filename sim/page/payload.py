"""The data behind the replay page: plain JSON-ready values, thinned for display.

Every time is in seconds from the page's start instant (``start_utc``), so the page never
handles Julian dates. The data files of a run keep full resolution; the page shows the track
at :data:`DISPLAY_STEP_S` steps and moves the markers linearly between those samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from ..times import DAY_S, jd_to_datetime, jd_to_iso

PAYLOAD_FORMAT = "sim-replay-page/1"
#: Track samples on the page are at least this far apart (rows of the ephemeris, never new ones)
DISPLAY_STEP_S = 30.0
#: At most this many samples per trajectory, so a long span still gives a small page
MAX_DISPLAY_SAMPLES = 40_000
#: Sky tracks of passes on the page: one az/el sample every this many seconds
SKY_STEP_S = 10.0
#: The sub-solar point is sampled this often; the page interpolates it (it moves 0.25 deg/min
#: in longitude at a near-constant rate, so linear interpolation is good to about 0.01 deg)
SUN_STEP_S = 1800.0
#: Coastlines: GSHHS low resolution, islands and lakes above this area, snapped to this grid
COAST_RESOLUTION = "l"
COAST_MIN_AREA_KM2 = 500.0
COAST_GRID_DEG = 0.1
FOOTPRINT_POINTS = 91


@dataclass(frozen=True)
class PageTrajectory:
    """What the page needs of one trajectory (the fields of ``sim.results.Trajectory``)."""

    name: str
    ephemeris: object
    modelled: bool
    source: str


def trajectories(results) -> list:
    """The trajectories a replay holds, in the order the page lists them.

    The one place that knows where ``Results`` keeps its trajectories: a ``trajectories``
    mapping (name -> object with ``name``, ``ephemeris``, ``modelled``, ``source``) when
    present, else the ISS track from ``results.ephemeris`` (element sets, not modelled).
    """
    found = getattr(results, "trajectories", None)
    if found:
        return list(found.values())
    return [
        PageTrajectory(
            name=results.scenario.object_name,
            ephemeris=results.ephemeris,
            modelled=False,
            source="element sets (SGP4)",
        )
    ]


def _split_jd(jd: float) -> tuple[float, float]:
    whole = math.floor(jd)
    return float(whole), jd - whole


def _rounded(values, digits: int) -> list:
    """Floats rounded for display, ``None`` where not finite."""
    arr = np.round(np.asarray(values, dtype=float), digits)
    return [v if math.isfinite(v) else None for v in arr.tolist()]


def _display_rows(n: int, step_s: float) -> np.ndarray:
    stride = max(1, round(DISPLAY_STEP_S / step_s) if step_s > 0 else 1)
    stride = max(stride, math.ceil(n / MAX_DISPLAY_SAMPLES))
    rows = np.arange(0, n, stride)
    if rows[-1] != n - 1:
        rows = np.append(rows, n - 1)
    return rows


def _trajectory_payload(traj, start) -> dict:
    eph = traj.ephemeris
    t_s = eph.times.seconds_since(*start)
    n = len(t_s)
    step_s = float(np.median(np.diff(t_s))) if n > 1 else 0.0
    rows = _display_rows(n, step_s)
    ok = np.asarray(eph.ok)[rows]
    lat = np.where(ok, eph.lat_deg[rows], np.nan)
    lon = np.where(ok, eph.lon_deg[rows], np.nan)
    alt = np.where(ok, eph.alt_km[rows], np.nan)
    sunlit = np.asarray(eph.sunlit)[rows].astype(int)
    return {
        "name": traj.name,
        "modelled": bool(traj.modelled),
        "source": traj.source,
        "label": f"{traj.name} (model)" if traj.modelled else traj.name,
        "data_step_s": round(step_s, 3),
        "display_step_s": round(step_s * (rows[1] - rows[0]), 3) if rows.size > 1 else 0.0,
        "t_s": _rounded(t_s[rows], 3),
        "lat_deg": _rounded(lat, 3),
        "lon_deg": _rounded(lon, 3),
        "alt_km": _rounded(alt, 1),
        "sunlit": sunlit.tolist(),
    }


def coastlines() -> list[dict]:
    """Land and lake outlines from the same GSHHS data as the PNG maps, snapped to a
    :data:`COAST_GRID_DEG` grid with repeated points dropped; flat [lon, lat, lon, lat, ...]."""
    from ..plots.coast import LAND_LEVELS, shorelines

    out = []
    for level, pts in shorelines(COAST_RESOLUTION, COAST_MIN_AREA_KM2):
        snapped = np.round(pts / COAST_GRID_DEG) * COAST_GRID_DEG
        keep = np.concatenate([[True], np.any(np.diff(snapped, axis=0) != 0, axis=1)])
        snapped = snapped[keep]
        if len(snapped) < 3:
            continue
        out.append(
            {
                "land": level in LAND_LEVELS,
                "lonlat": np.round(snapped, 1).ravel().tolist(),
            }
        )
    return out


def utc_offsets(timezone: str | None, start, duration_s: float) -> list[list[float]]:
    """[[seconds from start, UTC offset in seconds], ...]: the offset at the start and at every
    change (daylight saving) inside the span, to the second. ``None``: UTC throughout."""
    if not timezone:
        return [[0.0, 0.0]]
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    t0 = jd_to_datetime(*start)

    def offset(s: float) -> float:
        return (t0 + timedelta(seconds=s)).astimezone(zone).utcoffset().total_seconds()

    samples = np.append(np.arange(0.0, duration_s, 3600.0), duration_s)
    out = [[0.0, offset(0.0)]]
    for a, b in zip(samples[:-1], samples[1:], strict=True):
        if offset(b) == offset(a):
            continue
        lo, hi = float(a), float(b)
        while hi - lo > 1.0:
            mid = math.floor((lo + hi) / 2.0)
            lo, hi = (mid, hi) if offset(mid) == offset(a) else (lo, mid)
        out.append([hi, offset(hi)])
    return out


def _stations_payload(results, start, duration_s: float, altitude_km: float) -> list[dict]:
    from ..tracks import footprint, footprint_radius_km

    out = []
    for st in results.scenario.stations:
        mask_deg = st.min_elevation_deg
        if mask_deg is None:  # the visibility preset's mask
            mask_deg = results.scenario.visibility.min_elevation_deg
        lon, lat = footprint(st.lat_deg, st.lon_deg, altitude_km, mask_deg, FOOTPRINT_POINTS)
        # the station's zone where it knows one (``zone_name``: its own or found from its
        # coordinates; else a ``timezone`` attribute); UTC otherwise
        zone = getattr(st, "zone_name", None) or getattr(st, "timezone", None)
        out.append(
            {
                "name": st.name,
                "lat_deg": st.lat_deg,
                "lon_deg": st.lon_deg,
                "min_elevation_deg": mask_deg,
                "footprint_radius_km": round(footprint_radius_km(altitude_km, mask_deg), 1),
                "footprint_lonlat": np.round(np.column_stack([lon, lat]), 2).ravel().tolist(),
                "timezone": zone,
                "utc_offsets": utc_offsets(zone, start, duration_s),
            }
        )
    return out


def _passes_payload(results, start_jd: float) -> list[dict]:
    out = []
    for i, p in enumerate(results.passes):
        track = results.pass_tracks[i]  # the replay's (the page never propagates)
        x, az, el = (np.asarray(v, dtype=float) for v in track)
        stride = max(1, round(SKY_STEP_S / (x[1] - x[0]))) if x.size > 1 else 1
        rows = np.arange(0, x.size, stride)
        if rows[-1] != x.size - 1:
            rows = np.append(rows, x.size - 1)
        d = p.to_dict()

        def s(jd):
            return None if jd is None else round((jd - start_jd) * DAY_S, 3)

        out.append(
            {
                "station": p.station,
                "rise_s": s(p.rise_jd),
                "culmination_s": s(p.culmination_jd),
                "set_s": s(p.set_jd),
                "rise_utc": d["rise_utc"],
                "max_elevation_deg": round(p.max_elevation_deg, 1),
                "visible": bool(p.visible),
                "visible_start_s": s(p.visible_start_jd),
                "visible_end_s": s(p.visible_end_jd),
                "peak_magnitude": d["peak_magnitude"],
                "open_start": bool(p.open_start),
                "open_end": bool(p.open_end),
                "sky": {
                    "t_s": _rounded(x[rows], 1),
                    "az_deg": _rounded(az[rows], 2),
                    "el_deg": _rounded(el[rows], 2),
                },
            }
        )
    return out


#: Events drawn on the map, and where: on the ground at their site, or where the ISS was (the
#: same rule as the PNG maps); the others appear on the time strip and in the event list only
MAP_EVENTS = {"launch": "site", "landing": "site", "docking": "iss", "undocking": "iss"}


def _events_payload(results, start_jd: float) -> list[dict]:
    out = []
    for ev in results.events:
        on_ground = ev.get("site_lat_deg") is not None and ev["kind"] in ("launch", "landing")
        prefix = "site" if on_ground else "iss"
        on_map = MAP_EVENTS.get(ev["kind"]) == prefix
        out.append(
            {
                "name": ev["name"],
                "kind": ev["kind"],
                "utc": ev["utc"],
                "t_s": round((ev["jd"] - start_jd) * DAY_S, 3),
                "met_s": ev["met_s"],
                "lat_deg": ev[f"{prefix}_lat_deg"],
                "lon_deg": ev[f"{prefix}_lon_deg"],
                "where": "site" if on_ground else "ISS at that moment",
                "on_map": on_map,
                "source": ev.get("source", ""),
            }
        )
    return out


def _sun_payload(start, duration_s: float) -> dict:
    from ..ephemeris import SunTable, subsolar_point

    t_s = np.append(np.arange(0.0, duration_s, SUN_STEP_S), duration_s)
    jd = start[0] + start[1] + t_s / DAY_S
    whole = np.floor(jd)
    table = SunTable.covering(whole, jd - whole)
    points = [subsolar_point(w, j - w, table) for w, j in zip(whole, jd, strict=True)]
    lat, lon = np.array(points).T
    return {"t_s": _rounded(t_s, 3), "lat_deg": _rounded(lat, 3), "lon_deg": _rounded(lon, 3)}


def page_payload(results) -> dict:
    """Everything the replay page shows, as plain JSON-ready data (see the module docstring)."""
    from ..plots import style

    trajs = trajectories(results)
    start_jd = min([results.window_jd[0]] + [float(t.ephemeris.times.jd[0]) for t in trajs])
    end_jd = max([results.window_jd[1]] + [float(t.ephemeris.times.jd[-1]) for t in trajs])
    start = _split_jd(start_jd)
    duration_s = round((end_jd - start_jd) * DAY_S, 3)
    reference = next((t for t in trajs if not t.modelled), trajs[0]).ephemeris
    altitude_km = float(np.nanmedian(np.where(reference.ok, reference.alt_km, np.nan)))
    sc = results.scenario
    launch = next((e for e in results.events if e["kind"] == "launch"), None)
    approximations = list(results.summary()["approximations"])
    return {
        "format": PAYLOAD_FORMAT,
        "title": f"{sc.mission_name}: replay of {sc.object_name}",
        "mission": sc.mission_name,
        "crew": list(sc.crew),
        "start_utc": jd_to_iso(*start, 3),
        "end_utc": jd_to_iso(*_split_jd(end_jd), 3),
        "duration_s": duration_s,
        # the page opens at the replay window's start; trajectories may reach before it (a
        # modelled ascent and chase), and the slider goes back to them
        "initial_s": round((results.window_jd[0] - start_jd) * DAY_S, 3),
        "launch_s": None if launch is None else round((launch["jd"] - start_jd) * DAY_S, 3),
        "launch_utc": None if launch is None else launch["utc"],
        "trajectories": [_trajectory_payload(t, start) for t in trajs],
        "footprint_altitude_km": round(altitude_km, 1),
        "stations": _stations_payload(results, start, duration_s, altitude_km),
        "passes_object": sc.object_name,
        "passes": _passes_payload(results, start_jd),
        "events": _events_payload(results, start_jd),
        "sun": _sun_payload(start, duration_s),
        "coast": coastlines(),
        "colours": {
            "sunlit": style.SUNLIT,
            "eclipse": style.ECLIPSE,
            "land": style.LAND,
            "water": style.WATER,
            "coast": style.COAST,
            "night": style.NIGHT,
            "visible": style.VISIBLE,
            "stations": style.STATION_COLOURS,
        },
        "notes": [
            f"Track shown every {DISPLAY_STEP_S:g} s or more (the run's data files keep full "
            "resolution); markers move linearly between those samples.",
            f"Footprints: where the station sees an object at {altitude_km:.0f} km (the median "
            "altitude) above its elevation mask; spherical Earth.",
            "Night side: the Sun below the horizon at sea level, twilight shaded down to -18 deg.",
            *approximations,
            *results.warnings,
        ],
    }
