"""Scenario files (TOML): load, validate, run -> Results, and write the output folder.

Every problem is reported as ``file: key.path: problem``. Paths of element-set files are
relative to the scenario file. See ``scenarios/README.md`` for every key.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ScenarioError, SimError
from .passes import PRESETS, Station, VisibilityPreset, find_passes, pass_track
from .times import DAY_S, datetime_to_jd, jd_to_iso, parse_utc
from .tle import SWITCH_RULES, Catalogue, load_catalogue

EVENT_KINDS = ("scrub", "launch", "docking", "undocking", "landing", "other")
DEFAULT_MAX_SAMPLES = 5_000_000


# --------------------------------------------------------------------------------------------
# validation helpers


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str):
        raise ScenarioError(f"{self.source}: {key}: {problem}")

    def table(self, data, key, spec, required=True):
        """Check a table against ``spec``: {name: (kind, required, extra)}; returns a dict."""
        if data is None:
            if required:
                self.fail(key, "missing table")
            return {}
        if not isinstance(data, dict):
            self.fail(key, f"expected a table, found {type(data).__name__} {data!r}")
        unknown = sorted(set(data) - set(spec))
        if unknown:
            self.fail(f"{key}.{unknown[0]}", f"unknown key; expected one of {sorted(spec)}")
        out = {}
        for name, (kind, req, extra) in spec.items():
            path = f"{key}.{name}"
            if name not in data:
                if req:
                    self.fail(path, "missing")
                continue
            out[name] = self.value(data[name], path, kind, extra)
        return out

    def value(self, value, path, kind, extra):
        if kind == "str":
            if not isinstance(value, str) or not value.strip():
                self.fail(path, f"expected a non-empty string, found {value!r}")
            if extra and value not in extra:
                self.fail(path, f"{value!r} is not one of {list(extra)}")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                self.fail(path, f"expected true or false, found {value!r}")
            return value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(path, f"expected a whole number, found {value!r}")
            lo, hi = extra or (None, None)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                self.fail(path, f"{value} is outside {lo}..{hi}")
            return value
        if kind == "num":
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                self.fail(path, f"expected a number, found {value!r}")
            lo, hi, strict_lo = extra
            if strict_lo and value <= lo:
                self.fail(path, f"= {value!r} must be greater than {lo:g}")
            if value < lo or value > hi:
                self.fail(path, f"= {value!r} is outside {lo:g}..{hi:g}")
            return float(value)
        if kind == "time":
            if not isinstance(value, str):
                # TOML datetimes arrive as datetime objects
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                else:
                    self.fail(path, f"expected an ISO 8601 UTC time, found {value!r}")
            try:
                return parse_utc(value, path)
            except SimError:
                self.fail(path, f"{value!r} is not an ISO 8601 time (e.g. 2024-03-25T15:02:51Z)")
        if kind == "strlist":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.fail(path, f"expected a list of strings, found {value!r}")
            return value
        if kind == "mask":
            if (
                not isinstance(value, list)
                or len(value) < 2
                or not all(
                    isinstance(p, list)
                    and len(p) == 2
                    and all(isinstance(v, (int, float)) for v in p)
                    for p in value
                )
            ):
                self.fail(
                    path,
                    "expected a list of at least two [azimuth_deg, elevation_deg] "
                    f"pairs, found {value!r}",
                )
            return [tuple(float(v) for v in p) for p in value]
        raise AssertionError(kind)


LAT = ("num", True, (-90.0, 90.0, False))
LON = ("num", True, (-180.0, 180.0, False))
SPEC_MISSION = {
    "name": ("str", True, None),
    "slug": ("str", False, None),
    "crew": ("strlist", False, None),
    "description": ("str", False, None),
}
SPEC_OBJECT = {"name": ("str", False, None), "norad_id": ("int", True, (1, 999_999_999))}
SPEC_LAUNCH = {
    "time_utc": ("time", True, None),
    "site": ("str", True, None),
    "lat_deg": LAT,
    "lon_deg": LON,
    "insertion_s": ("num", False, (0.0, 3600.0, True)),
    "downrange_deg": ("num", False, (0.0, 90.0, False)),
}
SPEC_EVENT = {
    "name": ("str", True, None),
    "kind": ("str", False, EVENT_KINDS),
    "time_utc": ("time", True, None),
    "source": ("str", False, None),
    "lat_deg": ("num", False, (-90.0, 90.0, False)),
    "lon_deg": ("num", False, (-180.0, 180.0, False)),
}
SPEC_REPLAY = {
    "start": ("str", True, None),
    "end": ("str", True, None),
    "step_s": ("num", True, (0.0, 86400.0, True)),
    "max_samples": ("int", False, (1, 100_000_000)),
}
SPEC_ELEMENTS = {
    "files": ("strlist", True, None),
    "switch": ("str", False, SWITCH_RULES),
    "max_age_days": ("num", False, (0.0, 365.0, True)),
}
SPEC_STATION = {
    "name": ("str", True, None),
    "lat_deg": LAT,
    "lon_deg": LON,
    "elevation_m": ("num", False, (-500.0, 9000.0, False)),
    "min_elevation_deg": ("num", False, (-5.0, 89.0, False)),
    "horizon_mask": ("mask", False, None),
}
SPEC_VISIBILITY = {
    "preset": ("str", False, (*PRESETS, "custom")),
    "min_elevation_deg": ("num", False, (-5.0, 89.0, False)),
    "sun_max_elevation_deg": ("num", False, (-90.0, 90.0, False)),
    "min_peak_elevation_deg": ("num", False, (-5.0, 90.0, False)),
}
SPEC_OUTPUTS = {
    "name": ("str", False, None),
    "maps": ("bool", False, None),
    "daily_maps": ("bool", False, None),
    "skyplots": ("bool", False, None),
    "timeline": ("bool", False, None),
    "altitude": ("bool", False, None),
    "launch_window": ("bool", False, None),
    "czml": ("bool", False, None),
    "kml": ("bool", False, None),
    "oem": ("bool", False, None),
}
TOP = (
    "mission",
    "object",
    "launch",
    "events",
    "replay",
    "element_sets",
    "stations",
    "visibility",
    "outputs",
)


@dataclass
class Event:
    name: str
    kind: str
    time_utc: object
    source: str = ""
    lat_deg: float | None = None
    lon_deg: float | None = None

    @property
    def jd(self) -> float:
        w, f = datetime_to_jd(self.time_utc)
        return w + f


@dataclass
class Scenario:
    """A validated scenario. Build it with :func:`load_scenario`."""

    path: Path
    mission_name: str
    slug: str
    crew: list[str]
    norad_id: int
    object_name: str
    launch: dict | None
    events: list[Event]
    start: object
    end: object
    step_s: float
    max_samples: int
    element_files: list[Path]
    switch: str
    max_age_days: float
    stations: list[Station]
    visibility: VisibilityPreset
    outputs: dict = field(default_factory=dict)
    description: str = ""

    def run(self, progress=None) -> Results:
        """Propagate, search passes and assemble the :class:`Results` (no file is written)."""
        return run_scenario(self, progress)


def load_scenario(path) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{source}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc})") from None
    c = _Checker(source)
    unknown = sorted(set(data) - set(TOP))
    if unknown:
        c.fail(unknown[0], f"unknown table; expected some of {list(TOP)}")
    mission = c.table(data.get("mission"), "mission", SPEC_MISSION)
    obj = c.table(data.get("object"), "object", SPEC_OBJECT)
    launch = c.table(data.get("launch"), "launch", SPEC_LAUNCH, required=False) or None
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        c.fail("events", "expected an array of tables ([[events]])")
    events = []
    for i, ev in enumerate(raw_events):
        e = c.table(ev, f"events[{i}]", SPEC_EVENT)
        events.append(
            Event(
                e["name"],
                e.get("kind", "other"),
                e["time_utc"],
                e.get("source", ""),
                e.get("lat_deg"),
                e.get("lon_deg"),
            )
        )
    names = [e.name for e in events]
    for i, n in enumerate(names):
        if n in names[:i]:
            c.fail(f"events[{i}].name", f"{n!r} is used twice")
    if launch:
        events.insert(
            0,
            Event(
                "launch",
                "launch",
                launch["time_utc"],
                launch["site"],
                launch["lat_deg"],
                launch["lon_deg"],
            ),
        )
    replay = c.table(data.get("replay"), "replay", SPEC_REPLAY)
    by_name = {e.name: e for e in events}

    def instant(key):
        value = replay[key]
        if value in by_name:
            return by_name[value].time_utc
        try:
            return parse_utc(value, f"replay.{key}")
        except SimError:
            c.fail(
                f"replay.{key}",
                f"{value!r} is neither an event name ({sorted(by_name)}) nor an ISO 8601 time",
            )

    start, end = instant("start"), instant("end")
    if end <= start:
        c.fail("replay.end", f"{end.isoformat()} is not after replay.start {start.isoformat()}")
    step_s = replay["step_s"]
    max_samples = replay.get("max_samples", DEFAULT_MAX_SAMPLES)
    samples = int((end - start).total_seconds() / step_s) + 1
    if samples > max_samples:
        c.fail(
            "replay.step_s",
            f"{step_s:g} s over {(end - start).total_seconds() / DAY_S:.2f} "
            f"days gives {samples:,} samples, more than replay.max_samples = "
            f"{max_samples:,}",
        )
    elements = c.table(data.get("element_sets"), "element_sets", SPEC_ELEMENTS)
    files = []
    for i, name in enumerate(elements["files"]):
        p = (path.parent / name).resolve()
        if not p.is_file():
            c.fail(f"element_sets.files[{i}]", f"{name!r} does not exist (looked for {p})")
        files.append(p)
    raw_stations = data.get("stations", [])
    if not isinstance(raw_stations, list):
        c.fail("stations", "expected an array of tables ([[stations]])")
    vis = c.table(data.get("visibility"), "visibility", SPEC_VISIBILITY, required=False)
    preset_name = vis.get("preset", "naked-eye")
    if preset_name == "custom":
        for key in ("min_elevation_deg", "sun_max_elevation_deg"):
            if key not in vis:
                c.fail(f"visibility.{key}", "missing (needed with preset = 'custom')")
        preset = VisibilityPreset(
            "custom",
            vis["min_elevation_deg"],
            vis["sun_max_elevation_deg"],
            vis.get("min_peak_elevation_deg", 0.0),
        )
    else:
        extra = sorted(set(vis) - {"preset"})
        if extra:
            c.fail(f"visibility.{extra[0]}", "only allowed with preset = 'custom'")
        preset = PRESETS[preset_name]
    stations = []
    for i, st in enumerate(raw_stations):
        s = c.table(st, f"stations[{i}]", SPEC_STATION)
        stations.append(
            Station(
                s["name"],
                s["lat_deg"],
                s["lon_deg"],
                s.get("elevation_m", 0.0),
                s.get("min_elevation_deg", preset.min_elevation_deg),
                s.get("horizon_mask"),
            )
        )
    snames = [s.name for s in stations]
    for i, n in enumerate(snames):
        if n in snames[:i]:
            c.fail(f"stations[{i}].name", f"{n!r} is used twice")
    outputs = c.table(data.get("outputs"), "outputs", SPEC_OUTPUTS, required=False)
    slug = mission.get("slug") or path.stem
    out_name = outputs.get("name", slug)
    if (
        out_name in (".", "..")
        or "/" in out_name
        or "\\" in out_name
        or os.sep in out_name
        or out_name.startswith(".")
    ):
        c.fail(
            "outputs.name",
            f"{out_name!r} must be a plain folder name (no '/', '..' or "
            "leading dot), so outputs stay inside the output folder",
        )
    outputs["name"] = out_name
    return Scenario(
        path=path,
        mission_name=mission["name"],
        slug=slug,
        crew=mission.get("crew", []),
        norad_id=obj["norad_id"],
        object_name=obj.get("name", f"NORAD {obj['norad_id']}"),
        launch=launch,
        events=events,
        start=start,
        end=end,
        step_s=step_s,
        max_samples=max_samples,
        element_files=files,
        switch=elements.get("switch", "epoch"),
        max_age_days=elements.get("max_age_days", 3.0),
        stations=stations,
        visibility=preset,
        outputs=outputs,
        description=mission.get("description", ""),
    )


# --------------------------------------------------------------------------------------------
# running


@dataclass
class Results:
    """Everything a replay computed: plots and exports read this and never propagate."""

    scenario: Scenario
    catalogue: Catalogue
    ephemeris: object
    passes: list
    pass_tracks: dict  #: index in ``passes`` -> (seconds from rise, azimuth_deg, elevation_deg)
    events: list[dict]
    switches: list
    days: list[dict]
    night_instant: tuple
    warnings: list[str]
    window_jd: tuple[float, float]
    launch_window: object = None  #: sim.mission.LaunchWindow when the scenario has a launch

    def window_label(self) -> str:
        a = jd_to_iso(math.floor(self.window_jd[0]), self.window_jd[0] % 1, 0)
        b = jd_to_iso(math.floor(self.window_jd[1]), self.window_jd[1] % 1, 0)
        return f"{a[:16].replace('T', ' ')} to {b[:16].replace('T', ' ')} UTC"

    def map_markers(self):
        """(kind, lon, lat, label) for the map: pads and landing sites where they are on the
        ground, docking and undocking where the ISS was at that instant."""
        where = {"launch": "site", "landing": "site", "docking": "iss", "undocking": "iss"}
        out = []
        for ev in self.events:
            prefix = where.get(ev["kind"])
            if prefix is None or ev.get(f"{prefix}_lat_deg") is None:
                continue
            label = ev["utc"][:16].replace("T", " ")
            out.append((ev["kind"], ev[f"{prefix}_lon_deg"], ev[f"{prefix}_lat_deg"], label))
        return out

    def summary(self) -> dict:
        """A JSON-ready digest of the replay (deterministic: no timings, no paths)."""
        sc = self.scenario
        eph = self.ephemeris
        used = sorted(set(eph.set_index.tolist()))
        sets = []
        for k in used:
            sel = eph.set_index == k
            s = self.catalogue.sets[k]
            sets.append(
                {
                    "epoch_utc": s.epoch_iso,
                    "source": f"{Path(s.source).name}:{s.line}",
                    "age_h_min": round(float(eph.age_h[sel].min()), 2),
                    "age_h_max": round(float(eph.age_h[sel].max()), 2),
                    "samples": int(sel.sum()),
                }
            )
        per_station = {}
        for st in sc.stations:
            mine = [p for p in self.passes if p.station == st.name]
            per_station[st.name] = {"passes": len(mine), "visible": sum(p.visible for p in mine)}
        return {
            "mission": sc.mission_name,
            "crew": sc.crew,
            "object": {"name": sc.object_name, "norad_id": sc.norad_id},
            "window": {
                "start_utc": jd_to_iso(math.floor(self.window_jd[0]), self.window_jd[0] % 1, 3),
                "end_utc": jd_to_iso(math.floor(self.window_jd[1]), self.window_jd[1] % 1, 3),
                "step_s": sc.step_s,
                "samples": len(eph),
            },
            "switch_rule": self.catalogue.rule,
            "element_sets_used": sets,
            "switches_in_window": [
                {
                    "utc": s.iso,
                    "from_epoch": self.catalogue.sets[s.from_index].epoch_iso,
                    "to_epoch": self.catalogue.sets[s.to_index].epoch_iso,
                    "jump_km": round(s.jump_km, 3),
                }
                for s in self.switches
            ],
            "visibility": {
                "preset": sc.visibility.name,
                "min_elevation_deg": sc.visibility.min_elevation_deg,
                "sun_max_elevation_deg": sc.visibility.sun_max_elevation_deg,
                "min_peak_elevation_deg": sc.visibility.min_peak_elevation_deg,
            },
            "passes_per_station": per_station,
            "events": self.events,
            "sgp4_failures": {"instants": int((~eph.ok).sum()), "reasons": eph.error_reasons()},
            # None where SGP4 failed at every instant
            "sunlit_fraction": (
                round(float(np.mean(eph.sunlit[eph.ok])), 4) if eph.ok.any() else None
            ),
            "max_abs_latitude_deg": (
                round(float(np.max(np.abs(eph.lat_deg[eph.ok]))), 4) if eph.ok.any() else None
            ),
            "warnings": self.warnings,
            "launch_window": (
                None
                if self.launch_window is None
                else {
                    "launches": [a.to_dict() for a in self.launch_window.assessments],
                    "insertion_s": self.launch_window.insertion_s,
                    "downrange_deg": self.launch_window.downrange_deg,
                }
            ),
            "approximations": [
                "Positions before the first element set are SGP4 propagated backwards "
                "(element_set_age_h < 0) and approximate: tens of km after a few days.",
                "Magnitudes are estimates from a diffuse-sphere model (ISS -1.8 at 1000 km, "
                "half phase), not measurements.",
                "Earth's shadow is a cone of a spherical Earth (6378.137 km), without "
                "atmospheric refraction.",
            ],
        }


def _stage(progress, text):
    if progress is not None:
        progress(text)


def run_scenario(sc: Scenario, progress=None) -> Results:
    from .ephemeris import geodetic as to_geodetic
    from .ephemeris import itrs_at, propagate, subsolar_point

    _stage(progress, "reading element sets")
    catalogue = load_catalogue(
        sc.element_files, rule=sc.switch, norad_id=sc.norad_id, max_age_days=sc.max_age_days
    )
    _stage(progress, "propagating the track")
    eph = propagate(
        catalogue, start=sc.start, end=sc.end, step_s=sc.step_s, max_samples=sc.max_samples
    )
    warnings = catalogue.age_warnings(eph.times.whole, eph.times.fraction)
    if not eph.ok.all():
        warnings.append(f"SGP4 failed at {int((~eph.ok).sum())} instants: {eph.error_reasons()}")
    _stage(progress, "searching passes")
    passes = find_passes(catalogue, sc.stations, sc.start, sc.end, preset=sc.visibility)
    by_name = {s.name: s for s in sc.stations}
    tracks = {
        i: pass_track(catalogue, by_name[p.station], p) for i, p in enumerate(passes) if p.visible
    }
    _stage(progress, "mission events")
    launch_jd = sc.events[0].jd if sc.launch else None
    events = []
    if sc.events:
        jd = np.array([e.jd for e in sc.events])
        whole = np.floor(jd)
        frac = jd - whole
        r = itrs_at(catalogue, whole, frac)
        lat, lon, alt = to_geodetic(r)
        idx = catalogue.index_at(whole, frac)
        age = catalogue.age_hours(whole, frac, idx)
        for n, e in enumerate(sc.events):
            row = {
                "name": e.name,
                "kind": e.kind,
                "utc": jd_to_iso(whole[n], frac[n], 3),
                "jd": float(jd[n]),
                "met_s": None if launch_jd is None else round((jd[n] - launch_jd) * DAY_S, 3),
                "iss_lat_deg": round(float(lat[n]), 4),
                "iss_lon_deg": round(float(lon[n]), 4),
                "iss_alt_km": round(float(alt[n]), 3),
                "element_set_epoch_utc": catalogue.sets[idx[n]].epoch_iso,
                "element_set_age_h": round(float(age[n]), 3),
                "source": e.source,
            }
            if e.lat_deg is not None:
                row["site_lat_deg"], row["site_lon_deg"] = e.lat_deg, e.lon_deg
            if abs(age[n]) > sc.max_age_days * 24:
                warnings.append(
                    f"event {e.name}: element set {abs(age[n]) / 24:.1f} days old; "
                    "the ISS position there is approximate"
                )
            events.append(row)
    w0, w1 = float(eph.times.jd[0]), float(eph.times.jd[-1])
    switches = [s for s in catalogue.switches() if w0 <= s.jd <= w1]
    _stage(progress, "days and sunlight")
    days = []
    day_number = np.floor(eph.times.jd + 0.5)
    for d in np.unique(day_number):
        index = np.nonzero(day_number == d)[0]
        noon = d  # Julian day number d begins at noon; d - 0.5 is midnight
        instant = min(max(noon, w0), w1)
        lat_s, lon_s = subsolar_point(math.floor(instant), instant % 1, eph.sun)
        date = jd_to_iso(math.floor(d - 0.5), (d - 0.5) % 1, 0)[:10]
        days.append(
            {
                "date": date,
                "index": index,
                "night_instant": (
                    lat_s,
                    lon_s,
                    jd_to_iso(math.floor(instant), instant % 1, 0)[11:16] + " UTC",
                ),
            }
        )
    lat_s, lon_s = subsolar_point(math.floor(w0), w0 % 1, eph.sun)
    night = (lat_s, lon_s, jd_to_iso(math.floor(w0), w0 % 1, 0)[:16].replace("T", " ") + " UTC")
    window = None
    if sc.launch:
        _stage(progress, "launch window")
        window = _launch_window(sc, catalogue)
    return Results(
        sc,
        catalogue,
        eph,
        passes,
        tracks,
        events,
        switches,
        days,
        night,
        warnings,
        (w0, w1),
        window,
    )


# --------------------------------------------------------------------------------------------
# writing


def write_results(
    results: Results,
    out_dir,
    *,
    fmt: str = "png",
    dpi: int = 110,
    plots: bool = True,
    progress=None,
) -> Path:
    """Write the output folder. Everything goes to a hidden sibling folder first, which replaces
    ``out_dir`` only when complete: an interrupted run leaves the previous results intact."""
    from .errors import OutputError
    from .export.results import write_data_files

    out_dir = Path(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create the output folder ({exc.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{parent}: the output folder is not writable")
    tmp = parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{parent}: cannot write in the output folder ({exc.strerror})") from None
    try:
        write_data_files(results, tmp)
        if plots:
            _write_plots(results, tmp, fmt, dpi, progress)
        old = parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(
            f"{out_dir}: writing failed ({exc.strerror}); previous results were left as they were"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _write_plots(results: Results, folder: Path, fmt: str, dpi: int, progress):
    from .plots.maps import track_map
    from .plots.sky import write_skyplots
    from .plots.style import save
    from .plots.timeline import altitude_and_age, timeline

    want = results.scenario.outputs
    if want.get("maps", True):
        (folder / "maps").mkdir()
        _stage(progress, "map of the whole stay")
        save(track_map(results), folder / "maps" / f"overview.{fmt}", dpi)
        if want.get("daily_maps", True):
            for i, day in enumerate(results.days):
                _stage(progress, f"daily map {day['date']}")
                save(track_map(results, day_index=i), folder / "maps" / f"{day['date']}.{fmt}", dpi)
    if want.get("timeline", True):
        _stage(progress, "timeline")
        save(timeline(results), folder / f"timeline.{fmt}", dpi)
    if want.get("altitude", True):
        save(altitude_and_age(results), folder / f"altitude.{fmt}", dpi)
    if results.launch_window is not None and want.get("launch_window", True):
        from .plots.window import launch_window_plot

        save(launch_window_plot(results.launch_window), folder / f"launch_window.{fmt}", dpi)
    if want.get("skyplots", True):
        _stage(progress, "sky plots")
        visible = [p for p in results.passes if p.visible]
        index = {id(p): i for i, p in enumerate(results.passes)}
        tracks = {k: results.pass_tracks[index[id(p)]] for k, p in enumerate(visible)}
        write_skyplots(
            results.catalogue,
            results.scenario.stations,
            visible,
            folder / "skyplots",
            fmt,
            dpi,
            tracks,
        )


def _launch_window(sc: Scenario, catalogue: Catalogue):
    """In-plane opportunities from two days before the first launch attempt to two days after
    the launch, and an assessment of every launch and scrub event."""
    from .mission import DEFAULT_DOWNRANGE_DEG, DEFAULT_INSERTION_S, Site, launch_window

    attempts = [e for e in sc.events if e.kind in ("launch", "scrub")]
    first = min(e.jd for e in attempts)
    last = max(e.jd for e in attempts)
    site = Site(sc.launch["site"], sc.launch["lat_deg"], sc.launch["lon_deg"])
    return launch_window(
        catalogue,
        site,
        _jd_iso(math.floor(first - 0.5) - 1.5),
        _jd_iso(math.floor(last - 0.5) + 3.5),
        [(e.name, e.time_utc) for e in attempts],
        insertion_s=sc.launch.get("insertion_s", DEFAULT_INSERTION_S),
        downrange_deg=sc.launch.get("downrange_deg", DEFAULT_DOWNRANGE_DEG),
    )


def _jd_iso(jd: float) -> str:
    return jd_to_iso(math.floor(jd), jd - math.floor(jd), 3)


def plot_stage_count(results: Results) -> int:
    want = results.scenario.outputs
    n = 0
    if want.get("maps", True):
        n += 1 + (len(results.days) if want.get("daily_maps", True) else 0)
    n += int(want.get("timeline", True)) + int(want.get("skyplots", True))
    return n


def summary_json(results: Results) -> str:
    return json.dumps(results.summary(), indent=1, ensure_ascii=False) + "\n"
