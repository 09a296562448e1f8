"""Scenario files (TOML): the typed schema and loading; nothing here runs a replay or writes a file.

One pydantic model per table (strict types: a string is not a number, ``true`` is not 1; unknown
keys are refused). The same models give the JSON Schema that editors use (``sim scenario
schema``). Every problem is reported on one line as ``file: key.path: problem``; paths of
element-set files are relative to the scenario file. See ``scenarios/README.md`` for every key.
"""

import reprlib
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from .elements import SWITCH_RULES
from .errors import ScenarioError, SimError
from .inputs import decode_text, read_regular_file
from .names import check_name
from .passes import PRESETS, Station, VisibilityPreset
from .times import DAY_S, DE421_FIRST_UTC, DE421_LAST_UTC, datetime_to_jd, parse_utc

EVENT_KINDS = ("scrub", "launch", "docking", "undocking", "landing", "other")
DEFAULT_MAX_SAMPLES = 5_000_000
#: a scenario is a few kilobytes; anything larger is not one
MAX_SCENARIO_BYTES = 1_000_000
#: the longest replay window: a year (element sets age far sooner; see element_sets.max_age_days)
MAX_REPLAY_DAYS = 366.0
DE421_RANGE_TEXT = (
    f"{DE421_FIRST_UTC:%Y-%m-%d %H:%M}..{DE421_LAST_UTC:%Y-%m-%d %H:%M} UTC, the span of the "
    "DE421 Sun and Moon ephemeris sim uses"
)

# --------------------------------------------------------------------------------------------
# value types: each check raises one message, which load_scenario prefixes with file and key

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 4, 4, 2


def found(value) -> str:
    """A short ``repr`` for messages: never a dump of a huge or deeply nested value."""
    return _SHORT.repr(value)


def _fail(message: str):
    raise PydanticCustomError("sim", "{message}", {"message": message})


def _number(lo: float, hi: float, *, above: bool = False, whole: bool = False):
    """A float (or int) in ``lo..hi``; ``above`` makes ``lo`` itself invalid."""

    def check(value, handler):
        number = handler(value)
        if above and number <= lo:
            _fail(f"= {found(value)} must be greater than {lo:g}")
        if number < lo or number > hi:
            if whole:
                _fail(f"{value} is outside {lo:,}..{hi:,}")
            _fail(f"= {found(value)} is outside {lo:g}..{hi:g}")
        return number

    bounds = {"exclusiveMinimum" if above else "minimum": lo, "maximum": hi}
    return Annotated[int if whole else float, WrapValidator(check), Field(json_schema_extra=bounds)]


Latitude = _number(-90.0, 90.0)
Longitude = _number(-180.0, 180.0)
MaskElevation = _number(-5.0, 89.0)

#: characters that never belong in a name: C0/C1 controls (NUL, tab, newline, ESC ...) and the
#: Unicode line and paragraph separators
_BAD_CATEGORIES = ("Cc", "Zl", "Zp")


def _first_bad_character(text: str, allowed: str = "") -> str | None:
    for ch in text:
        if ch not in allowed and unicodedata.category(ch) in _BAD_CATEGORIES:
            return ch
    return None


def _name(value):
    if isinstance(value, str):
        if not value.strip():
            _fail(f"expected a non-empty name, found {value!r}")
        bad = _first_bad_character(value)
        if bad is not None:
            _fail(
                f"{found(value)} holds the control character U+{ord(bad):04X}; names are printable"
            )
    return value


def _text(value):
    if isinstance(value, str):
        bad = _first_bad_character(value, allowed="\t\n\r")
        if bad is not None:
            _fail(f"{found(value)} holds the control character U+{ord(bad):04X}")
    return value


_CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029"  # JSON Schema regex ranges
_NAME_SCHEMA = {
    "minLength": 1,
    "pattern": f"^[^{_CONTROLS}]*[^\\s{_CONTROLS}][^{_CONTROLS}]*$",
}
#: a name that reaches titles, tables, file names: printable, not blank
Name = Annotated[str, BeforeValidator(_name), Field(json_schema_extra=_NAME_SCHEMA)]
#: free text: may span lines (TOML multi-line strings), no other control characters
Text = Annotated[
    str,
    BeforeValidator(_text),
    Field(
        json_schema_extra={
            "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
        }
    ),
]


def _folder_name(value):
    value = _name(value)
    if isinstance(value, str) and (
        value in (".", "..") or "/" in value or "\\" in value or value.startswith(".")
    ):
        _fail(
            f"{found(value)} must be a plain folder name (no '/', '..' or leading dot), "
            "so outputs stay inside the output folder"
        )
    return value


FolderName = Annotated[
    str,
    BeforeValidator(_folder_name),
    Field(
        json_schema_extra={"minLength": 1, "pattern": f"^[^./\\\\{_CONTROLS}][^/\\\\{_CONTROLS}]*$"}
    ),
]


def de421_problem(instant: datetime) -> str | None:
    """Why ``instant`` cannot be replayed (outside DE421 there is no Sun: no sunlight, no
    visibility, no night on the maps), or None."""
    if DE421_FIRST_UTC <= instant <= DE421_LAST_UTC:
        return None
    return f"{instant.isoformat()} is outside {DE421_RANGE_TEXT}"


def _utc_time(value):
    if isinstance(value, datetime):  # a native TOML date-time; without an offset it is UTC
        instant = parse_utc(value)
    elif isinstance(value, date):  # a native TOML date: its midnight, UTC
        instant = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        try:
            instant = parse_utc(value)
        except SimError:
            _fail(f"{found(value)} is not an ISO 8601 time (e.g. 2024-03-25T15:02:51Z)")
    else:
        _fail(f"expected an ISO 8601 UTC time, found {found(value)}")
    problem = de421_problem(instant)
    if problem:
        _fail(problem)
    return instant


_TIME_SCHEMA = {
    "type": "string",
    "examples": ["2024-03-25T15:02:51Z"],
}
#: an instant: an ISO 8601 string or a native TOML date-time; without a zone it is UTC
UtcTime = Annotated[datetime, BeforeValidator(_utc_time), WithJsonSchema(_TIME_SCHEMA)]


def _event_or_time(value):
    if isinstance(value, (datetime, date)):
        return _utc_time(value).isoformat()
    return _name(value)


EventOrTime = Annotated[str, BeforeValidator(_event_or_time), WithJsonSchema({"type": "string"})]


def _pair(value):
    if isinstance(value, list):  # TOML arrays are lists; the pair is checked as a tuple
        return tuple(value)
    return value


MaskPair = Annotated[
    tuple[
        Annotated[_number(0.0, 360.0), Field(description="azimuth, degrees from north")],
        Annotated[MaskElevation, Field(description="elevation mask there, degrees")],
    ],
    BeforeValidator(_pair),
]

# --------------------------------------------------------------------------------------------
# the tables


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class MissionTable(_Table):
    """[mission] (required): what is replayed."""

    name: Name = Field(description="mission name shown in titles and the summary")
    slug: FolderName = Field(
        None, description="short name; default: the scenario file name without .toml"
    )
    crew: list[Name] = Field([], description="crew members, shown in the summary")
    description: Text = Field("", description="free text")


class ObjectTable(_Table):
    """[object] (required): the object propagated from the element sets."""

    name: Name = Field(None, description="display name; default: 'NORAD <norad_id>'")
    norad_id: _number(1, 999_999_999, whole=True) = Field(
        description="NORAD catalogue number (the ISS is 25544); picked from multi-object files"
    )


class LaunchTable(_Table):
    """[launch] (optional): the lift-off; it becomes an event named 'launch'."""

    time_utc: UtcTime = Field(
        description="lift-off, UTC (ISO 8601 or a TOML date-time); mission elapsed time counts "
        "from here"
    )
    site: Name = Field(description="launch pad name")
    lat_deg: Latitude = Field(description="pad geodetic latitude, degrees (-90..90)")
    lon_deg: Longitude = Field(description="pad longitude, degrees east (-180..180)")
    insertion_s: _number(0.0, 3600.0, above=True) = Field(
        None, description="seconds from lift-off to orbit insertion (default 529)"
    )
    downrange_deg: _number(0.0, 90.0) = Field(
        None,
        description="angle along the orbit from the pad to the insertion point, degrees "
        "(default 14, an approximation of the Soyuz ascent)",
    )


class EventTable(_Table):
    """[[events]]: a named instant of the mission."""

    name: Name = Field(description="unique name, referred to by replay.start / replay.end")
    kind: Literal[EVENT_KINDS] = Field("other", description="sets the map marker")
    time_utc: UtcTime = Field(description="the instant, UTC (ISO 8601 or a TOML date-time)")
    source: Text = Field("", description="where the time comes from")
    lat_deg: Latitude = Field(
        None, description="a place on the ground (landing site): latitude, degrees"
    )
    lon_deg: Longitude = Field(
        None, description="a place on the ground (landing site): longitude, degrees east"
    )


class ReplayTable(_Table):
    """[replay] (required): the window and the step of the track."""

    start: EventOrTime = Field(description="an event name or an ISO 8601 UTC time")
    end: EventOrTime = Field(
        description="an event name or an ISO 8601 UTC time, after start, at most "
        f"{MAX_REPLAY_DAYS:g} days later"
    )
    step_s: _number(0.0, 86400.0, above=True) = Field(
        description="seconds between track samples (0 < step_s <= 86400)"
    )
    max_samples: _number(1, 100_000_000, whole=True) = Field(
        DEFAULT_MAX_SAMPLES,
        description="refuse windows that would give more track samples than this (count)",
    )


class ElementSetsTable(_Table):
    """[element_sets] (required): where the positions come from."""

    files: list[Name] = Field(
        min_length=1,
        description="TLE / 3LE / OMM (CSV, JSON, XML) files, relative to the scenario file; "
        "at least one, each must exist",
    )
    switch: Literal[SWITCH_RULES] = Field(
        "epoch", description="which set is in force at each instant"
    )
    max_age_days: _number(0.0, 365.0, above=True) = Field(
        3.0, description="warn where the set in force is older than this, days"
    )
    max_extrapolation_days: _number(0.0, 36525.0, above=True) = Field(
        30.0,
        description="refuse instants farther than this from the set in force, days (SGP4 "
        "drifts tens of km a day away from its epoch)",
    )


class StationTable(_Table):
    """[[stations]]: a place on the ground that watches the passes."""

    name: Name = Field(description="unique station name")
    lat_deg: Latitude = Field(description="geodetic latitude, degrees (-90..90)")
    lon_deg: Longitude = Field(description="longitude, degrees east (-180..180)")
    elevation_m: _number(-500.0, 9000.0) = Field(
        0.0, description="height above the WGS84 ellipsoid, metres"
    )
    min_elevation_deg: MaskElevation = Field(
        None, description="elevation mask, degrees (default: the visibility preset's)"
    )
    horizon_mask: list[MaskPair] = Field(
        None,
        min_length=2,
        description="[azimuth_deg, elevation_deg] pairs (degrees) interpolated in azimuth; "
        "replaces min_elevation_deg",
    )
    timezone: Name = Field(
        None,
        description="IANA time zone for local times (e.g. 'Europe/Minsk', 'UTC'); default: "
        "found offline from the coordinates",
    )


class FlightTable(_Table):
    """[flight] (optional): fly a modelled spacecraft beside the element-set object."""

    model: Literal["soyuz-ms25", "soyuz-ms25-first-attempt"] = Field(
        description="soyuz-ms25: the Soyuz MS-25 ascent and two-day chase and the Soyuz MS-24 "
        "return; soyuz-ms25-first-attempt: the two-orbit what-if of the scrubbed 2024-03-21 "
        "launch. Both are MODELS (no element set of the Soyuz exists offline)"
    )


class VisibilityTable(_Table):
    """[visibility] (optional): when a pass counts as visible to the eye."""

    preset: Literal[(*PRESETS, "custom")] = Field(
        "naked-eye",
        description="naked-eye (mask 10 deg, Sun <= -6 deg), nasa (15 deg, -6 deg), "
        "spot-the-station (10 deg, -6 deg, peak >= 40 deg) or custom",
    )
    min_elevation_deg: MaskElevation = Field(
        None, description="custom only: elevation mask, degrees"
    )
    sun_max_elevation_deg: _number(-90.0, 90.0) = Field(
        None, description="custom only: the Sun at the station at or below this, degrees"
    )
    min_peak_elevation_deg: _number(-5.0, 90.0) = Field(
        None, description="custom only: only passes reaching this elevation, degrees"
    )


class OutputsTable(_Table):
    """[outputs] (optional): which pictures and files 'sim run' writes."""

    name: FolderName = Field(
        None, description="output folder under out/ (default: the slug); a plain folder name"
    )
    maps: bool = Field(True, description="map of the whole stay")
    daily_maps: bool = Field(True, description="one map per day (with maps)")
    skyplots: bool = Field(True, description="one sky plot per visible pass")
    timeline: bool = Field(True, description="timeline picture")
    altitude: bool = Field(True, description="altitude and element-set age picture")
    launch_window: bool = Field(True, description="launch-window picture (with [launch])")
    czml: bool = Field(False, description="also write replay.czml (CesiumJS)")
    kml: bool = Field(False, description="also write replay.kml (Google Earth)")
    oem: bool = Field(False, description="also write replay.oem (CCSDS OEM, EME2000)")
    html: bool = Field(True, description="also write replay.html, the offline replay page")


class ScenarioFile(_Table):
    """A sim scenario: replay a crewed mission from historical element sets."""

    mission: MissionTable = Field(description="what is replayed")
    object: ObjectTable = Field(description="the object propagated")
    launch: LaunchTable = Field(None, description="the lift-off (optional)")
    events: list[EventTable] = Field([], description="named instants ([[events]])")
    replay: ReplayTable = Field(description="the window and step")
    element_sets: ElementSetsTable = Field(description="the element-set files")
    stations: list[StationTable] = Field([], description="ground stations ([[stations]])")
    visibility: VisibilityTable = Field(None, description="the visibility rule (optional)")
    outputs: OutputsTable = Field(None, description="what 'sim run' writes (optional)")
    flight: FlightTable = Field(None, description="a modelled flight to replay (optional)")


TABLES = tuple(ScenarioFile.model_fields)

# --------------------------------------------------------------------------------------------
# the validated scenario the replay reads


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
    flight_model: str | None = None  #: a modelled flight to fly (``[flight] model``)
    max_extrapolation_days: float = 30.0  #: refuse instants farther from the set in force

    def __repr__(self) -> str:
        return (
            f"<Scenario {self.mission_name!r} ({self.path.name}): {self.start:%Y-%m-%d %H:%M} "
            f"to {self.end:%Y-%m-%d %H:%M} UTC every {self.step_s:g} s; {len(self.events)} "
            f"events, {len(self.stations)} stations>"
        )

    def summary_line(self) -> str:
        """One line for ``sim scenario check``."""
        samples = int((self.end - self.start).total_seconds() / self.step_s) + 1
        return (
            f"{self.path}: OK: {self.mission_name!r}, NORAD {self.norad_id}, "
            f"{self.start:%Y-%m-%dT%H:%M:%SZ} to {self.end:%Y-%m-%dT%H:%M:%SZ} every "
            f"{self.step_s:g} s ({samples:,} samples), {len(self.events)} events, "
            f"{len(self.stations)} stations, element-set files: {len(self.element_files)}"
        )


# --------------------------------------------------------------------------------------------
# pydantic's errors as one line: key path, what was expected, what was found

_EXPECTED = {
    "float_type": "expected a number",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "string_type": "expected a string",
    "finite_number": "expected a finite number",
    "datetime_type": "expected an ISO 8601 UTC time",
}


def key_path(loc) -> str:
    """('stations', 2, 'lat_deg') -> 'stations[2].lat_deg'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(loc) -> type[BaseModel] | None:
    """The table model a location points into (for the list of its keys)."""
    model = ScenarioFile
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return None
    return model


def describe_error(error: dict) -> tuple[str, str]:
    """(key path, problem) for one pydantic error."""
    loc, kind, value = error["loc"], error["type"], error.get("input")
    key = key_path(loc)
    ctx = error.get("ctx") or {}
    if kind == "sim":
        return key, ctx["message"]
    if kind == "extra_forbidden":
        if len(loc) == 1:
            return key, f"unknown table; expected some of {list(TABLES)}"
        model = _model_at(loc[:-1])
        keys = sorted(model.model_fields) if model else []
        return key, f"unknown key; expected one of {keys}"
    if kind == "missing":
        return key, "missing table" if len(loc) == 1 and loc[0] in TABLES else "missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return key, f"expected a table, found {type(value).__name__} {found(value)}"
    if kind == "list_type":
        if len(loc) == 1 and loc[0] in ("events", "stations"):
            return key, f"expected an array of tables ([[{loc[0]}]]), found {found(value)}"
        return key, f"expected a list, found {found(value)}"
    if kind in ("tuple_type",):
        return key, f"expected a pair [azimuth_deg, elevation_deg], found {found(value)}"
    if kind == "literal_error":
        return key, f"{found(value)} is not one of {ctx.get('expected')}"
    if kind == "too_short":
        n = ctx.get("min_length")
        return key, f"expected at least {n} item{'s' * (n != 1)}, found {found(value)}"
    if kind == "too_long":
        n = ctx.get("max_length")
        return key, f"expected at most {n} item{'s' * (n != 1)}, found {found(value)}"
    if kind in _EXPECTED:
        return key, f"{_EXPECTED[kind]}, found {found(value)}"
    message = error["msg"]
    return key, f"{message[:1].lower()}{message[1:]}, found {found(value)}"


def _first_error(exc: ValidationError) -> dict:
    errors = exc.errors(include_url=False)
    # an unknown table explains the rest (a typo in [replay] makes [replay] missing)
    for error in errors:
        if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
            return error
    return errors[0]


# --------------------------------------------------------------------------------------------
# loading


def read_scenario_data(path) -> dict:
    """The TOML of a scenario file as a dict (regular files up to 1 MB, UTF-8, BOM dropped)."""
    path = Path(path)
    source = str(path)
    data = read_regular_file(path, MAX_SCENARIO_BYTES, "scenario file", ScenarioError)
    text = decode_text(data, source, ScenarioError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ScenarioError(
            f"{source}: not valid TOML (arrays or inline tables nested too deeply)"
        ) from None


def validate_scenario_data(data: Any, source: str) -> ScenarioFile:
    """The TOML data checked against the schema; the first problem as a ScenarioError."""
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        key, problem = describe_error(_first_error(exc))
        raise ScenarioError(f"{source}: {key}: {problem}") from None
    except RecursionError:  # a value nested thousands deep inside a list of strings
        raise ScenarioError(f"{source}: values nested too deeply") from None


def load_scenario(path) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    source = str(path)
    model = validate_scenario_data(read_scenario_data(path), source)

    def fail(key: str, problem: str):
        raise ScenarioError(f"{source}: {key}: {problem}")

    events = [
        Event(e.name, e.kind, e.time_utc, e.source, e.lat_deg, e.lon_deg) for e in model.events
    ]
    launch = None
    if model.launch is not None:
        launch = model.launch.model_dump(exclude_none=True)
        events.insert(
            0,
            Event(
                "launch",
                "launch",
                model.launch.time_utc,
                model.launch.site,
                model.launch.lat_deg,
                model.launch.lon_deg,
            ),
        )
    offset = 1 if launch else 0
    seen = set()
    for i, e in enumerate(events):
        if e.name in seen:
            if e.name == "launch" and launch:
                fail(f"events[{i - offset}].name", "'launch' is taken by the [launch] table")
            fail(f"events[{i - offset}].name", f"{e.name!r} is used twice")
        seen.add(e.name)

    replay = model.replay
    by_name = {e.name: e for e in events}

    def instant(key):
        value = getattr(replay, key)
        if value in by_name:
            return by_name[value].time_utc
        try:
            moment = parse_utc(value, f"replay.{key}")
        except SimError:
            fail(
                f"replay.{key}",
                f"{value!r} is neither an event name ({sorted(by_name)}) nor an ISO 8601 time",
            )
        problem = de421_problem(moment)
        if problem:
            fail(f"replay.{key}", problem)
        return moment

    start, end = instant("start"), instant("end")
    if end <= start:
        fail("replay.end", f"{end.isoformat()} is not after replay.start {start.isoformat()}")
    span_s = (end - start).total_seconds()
    if span_s > MAX_REPLAY_DAYS * DAY_S:
        fail(
            "replay.end",
            f"the window from {start.isoformat()} to {end.isoformat()} is "
            f"{span_s / DAY_S:,.1f} days long; at most {MAX_REPLAY_DAYS:g} days are replayed",
        )
    step_s = replay.step_s
    if step_s > span_s:
        fail(
            "replay.step_s",
            f"{step_s:g} s is longer than the window ({span_s:g} s from replay.start to "
            "replay.end)",
        )
    samples = int(span_s / step_s) + 1
    if samples > replay.max_samples:
        fail(
            "replay.step_s",
            f"{step_s:g} s over {span_s / DAY_S:.2f} "
            f"days gives {samples:,} samples, more than replay.max_samples = "
            f"{replay.max_samples:,}",
        )

    files = []
    for i, name in enumerate(model.element_sets.files):
        p = (path.parent / name).resolve()
        if not p.exists():
            fail(f"element_sets.files[{i}]", f"{name!r} does not exist (looked for {p})")
        if not p.is_file():
            fail(f"element_sets.files[{i}]", f"{name!r} is not a regular file ({p})")
        files.append(p)

    vis = model.visibility or VisibilityTable()
    given = vis.model_dump(exclude_none=True)
    if vis.preset == "custom":
        for key in ("min_elevation_deg", "sun_max_elevation_deg"):
            if key not in given:
                fail(f"visibility.{key}", "missing (needed with preset = 'custom')")
        preset = VisibilityPreset(
            "custom",
            vis.min_elevation_deg,
            vis.sun_max_elevation_deg,
            vis.min_peak_elevation_deg if vis.min_peak_elevation_deg is not None else 0.0,
        )
    else:
        extra = sorted(set(given) - {"preset"})
        if extra:
            fail(f"visibility.{extra[0]}", "only allowed with preset = 'custom'")
        preset = PRESETS[vis.preset]

    stations = []
    for i, st in enumerate(model.stations):
        try:
            stations.append(
                Station(
                    st.name,
                    st.lat_deg,
                    st.lon_deg,
                    st.elevation_m,
                    st.min_elevation_deg
                    if st.min_elevation_deg is not None
                    else preset.min_elevation_deg,
                    st.horizon_mask,
                    st.timezone,
                )
            )
        except SimError as exc:
            fail(f"stations[{i}]", str(exc))
    snames = [s.name for s in stations]
    for i, n in enumerate(snames):
        if n in snames[:i]:
            fail(f"stations[{i}].name", f"{n!r} is used twice")

    outputs = (model.outputs or OutputsTable()).model_dump()
    slug = model.mission.slug or path.stem
    out_name = outputs["name"] or slug
    try:
        _folder_name(out_name)
    except PydanticCustomError as exc:
        fail("outputs.name", exc.context["message"])
    outputs["name"] = out_name
    return Scenario(
        path=path,
        mission_name=model.mission.name,
        slug=slug,
        crew=list(model.mission.crew),
        norad_id=model.object.norad_id,
        object_name=model.object.name or f"NORAD {model.object.norad_id}",
        launch=launch,
        events=events,
        start=start,
        end=end,
        step_s=step_s,
        max_samples=replay.max_samples,
        element_files=files,
        switch=model.element_sets.switch,
        max_age_days=model.element_sets.max_age_days,
        stations=stations,
        visibility=preset,
        outputs=outputs,
        description=model.mission.description,
        flight_model=model.flight.model if model.flight else None,
        max_extrapolation_days=model.element_sets.max_extrapolation_days,
    )


# --------------------------------------------------------------------------------------------
# the JSON Schema editors use

SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"


def _draft7(node):
    """pydantic writes draft 2020-12; editors (taplo) read draft 7: ``prefixItems`` becomes an
    ``items`` array, ``$defs`` becomes ``definitions``; TOML has no null, so no null defaults."""
    if isinstance(node, list):
        return [_draft7(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "default" and value is None:
            continue
        if key == "title":  # pydantic's titles only repeat the key; descriptions say more
            continue
        if key == "prefixItems":
            out["items"] = _draft7(value)
            out["additionalItems"] = False
            continue
        if key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
            continue
        if key in ("properties", "$defs"):
            out["definitions" if key == "$defs" else key] = {
                name: _draft7(sub) for name, sub in value.items()
            }
            continue
        out[key] = _draft7(value)
    return out


def scenario_json_schema() -> dict:
    """The JSON Schema of a scenario file (draft 7), from the pydantic models.

    TOML date-times are strings here, as editors (taplo) and ``json.dumps`` see them.
    """
    body = _draft7(ScenarioFile.model_json_schema())
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "sim scenario",
        **body,
    }
