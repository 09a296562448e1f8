"""Scenario files (TOML): load and validate; nothing here runs a replay or writes a file.

Every problem is reported as ``file: key.path: problem``. Paths of element-set files are
relative to the scenario file. See ``scenarios/README.md`` for every key.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .elements import SWITCH_RULES
from .errors import ScenarioError, SimError
from .names import check_name
from .passes import PRESETS, Station, VisibilityPreset
from .times import DAY_S, datetime_to_jd, parse_utc

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

    def __post_init__(self):
        check_name(self.name, f"event {self.name!r}")  # it becomes table cells and labels

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
