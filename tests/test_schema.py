"""The typed scenario schema: strict types, one-line messages naming the key, the JSON Schema
editors use, 'sim scenario check', and the scenario rows of issue 11 (hostile files and values).

Every bad case must give exit code 2 with one line on stderr naming the key, and write nothing.
"""

import json
import os
import re
import stat
import subprocess
import sys
import time
import tomllib
from datetime import date, datetime

import jsonschema
import pytest
from conftest import BUNDLED_TLE, ROOT

import sim
from sim.cli import main
from sim.scenario import load_scenario, scenario_json_schema

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SCHEMA_FILE = ROOT / "scenarios" / "scenario.schema.json"

BASE = f"""
[mission]
name = "Test"
[object]
norad_id = 25544
[launch]
time_utc = "2024-03-27T10:00:00Z"
site = "Baikonur"
lat_deg = 45.9961
lon_deg = 63.5639
[[events]]
name = "docking"
time_utc = "2024-03-28T00:00:00Z"
[[events]]
name = "landing"
kind = "landing"
time_utc = "2024-03-28T03:00:00Z"
[replay]
start = "docking"
end = "2024-03-28T06:00:00Z"
step_s = 60.0
[element_sets]
files = ["{BUNDLED_TLE.as_posix()}"]
[[stations]]
name = "Minsk"
lat_deg = 53.9
lon_deg = 27.57
[[stations]]
name = "Korolev"
lat_deg = 55.91
lon_deg = 37.81
[[stations]]
name = "Baikonur"
lat_deg = 45.96
lon_deg = 63.31
[outputs]
maps = false
skyplots = false
"""


def _scenario(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path, path, capsys, key_and_problem):
    """exit 2, one line naming the key, nothing written; both for 'run' and 'scenario check'."""
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--quiet", "--no-plots"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"sim: error: {path}: {key_and_problem}"), err
    assert not out.exists()
    assert main(["scenario", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.out == ""
    return err


# --------------------------------------------------------------------------------------------
# strict types and one-line messages


TYPE_CASES = {
    # a string is not a number, and a number is not a string
    "string latitude": (
        "lat_deg = 53.9",
        'lat_deg = "53.9"',
        "stations[0].lat_deg: expected a number, found '53.9'",
    ),
    "bool is not a number": ("step_s = 60.0", "step_s = true", "replay.step_s: expected a number"),
    "bool is not a whole number": (
        "norad_id = 25544",
        "norad_id = true",
        "object.norad_id: expected a whole number, found True",
    ),
    "float is not a whole number": (
        "norad_id = 25544",
        "norad_id = 25544.0",
        "object.norad_id: expected a whole number, found 25544.0",
    ),
    "number is not a bool": ("maps = false", "maps = 0", "outputs.maps: expected true or false"),
    "number is not a name": (
        'name = "Minsk"',
        "name = 7",
        "stations[0].name: expected a string, found 7",
    ),
    "nan latitude": ("lat_deg = 55.91", "lat_deg = nan", "stations[1].lat_deg: expected a finite"),
    "third station latitude": (
        "lat_deg = 45.96",
        "lat_deg = 123.0",
        "stations[2].lat_deg: = 123.0 is outside -90..90",
    ),
    "second event time": (
        'time_utc = "2024-03-28T03:00:00Z"',
        'time_utc = "28 March 2024"',
        "events[1].time_utc: '28 March 2024' is not an ISO 8601 time",
    ),
    "event kind": ('kind = "landing"', 'kind = "splashdown"', "events[1].kind: 'splashdown' is"),
    "horizon mask pair": (
        "lon_deg = 27.57",
        "lon_deg = 27.57\nhorizon_mask = [[0, 5], [400, 5]]",
        "stations[0].horizon_mask[1][0]: = 400 is outside 0..360",
    ),
    "horizon mask triple": (
        "lon_deg = 27.57",
        "lon_deg = 27.57\nhorizon_mask = [[0, 5], [90, 5, 1]]",
        "stations[0].horizon_mask[1]: expected at most 2 items",
    ),
    "unknown table": ("[outputs]", "[output]", "output: unknown table; expected some of"),
}


@pytest.mark.parametrize("case", sorted(TYPE_CASES))
def test_strict_types_name_the_key(tmp_path, case, capsys):
    old, new, message = TYPE_CASES[case]
    assert old in BASE
    path = _scenario(tmp_path, BASE.replace(old, new, 1))
    _refused(tmp_path, path, capsys, message)


def test_events_not_an_array_of_tables(tmp_path, capsys):
    start = BASE.index("[[events]]")
    text = 'events = "docking"\n' + BASE[:start] + BASE[BASE.index("[replay]") :]
    text = text.replace('start = "docking"', 'start = "2024-03-28T00:00:00Z"')
    path = _scenario(tmp_path, text)
    _refused(tmp_path, path, capsys, "events: expected an array of tables ([[events]])")


def test_a_table_given_as_a_string(tmp_path, capsys):
    text = 'object = "ISS"\n' + BASE.replace("[object]\nnorad_id = 25544\n", "")
    path = _scenario(tmp_path, text)
    _refused(tmp_path, path, capsys, "object: expected a table, found str 'ISS'")


def test_the_good_base_loads_with_the_defaults(tmp_path):
    sc = load_scenario(_scenario(tmp_path, BASE))
    assert [e.name for e in sc.events] == ["launch", "docking", "landing"]
    assert sc.step_s == 60.0 and isinstance(sc.step_s, float)
    # every outputs key present with its default; html (the replay page) is on by default
    assert sc.outputs["html"] is True and sc.outputs["czml"] is False
    assert sc.outputs["maps"] is False and sc.outputs["name"] == "s"


def test_outputs_html_can_be_turned_off(tmp_path):
    path = _scenario(tmp_path, BASE.replace("maps = false", "maps = false\nhtml = false"))
    assert load_scenario(path).outputs["html"] is False


def test_native_toml_datetimes_are_times(tmp_path):
    text = (
        BASE.replace('time_utc = "2024-03-28T00:00:00Z"', "time_utc = 2024-03-28T00:00:00Z")
        .replace('end = "2024-03-28T06:00:00Z"', "end = 2024-03-28T06:00:00+00:00")
        .replace('start = "docking"', "start = 2024-03-28 00:00:00")  # local: UTC
    )
    data = tomllib.loads(text)
    assert isinstance(data["events"][0]["time_utc"], datetime)
    assert isinstance(data["replay"]["start"], datetime)
    sc = load_scenario(_scenario(tmp_path, text))
    assert sc.start == sc.events[1].time_utc and (sc.end - sc.start).total_seconds() == 21600
    assert sc.start.utcoffset().total_seconds() == 0


def test_a_native_toml_date_is_its_midnight_utc(tmp_path):
    text = BASE.replace('time_utc = "2024-03-28T03:00:00Z"', "time_utc = 2024-03-28")
    assert isinstance(tomllib.loads(text)["events"][1]["time_utc"], date)
    sc = load_scenario(_scenario(tmp_path, text))
    assert sc.events[2].time_utc.isoformat() == "2024-03-28T00:00:00+00:00"


# --------------------------------------------------------------------------------------------
# the scenario rows of issue 11


def test_utf8_bom_is_stripped(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_scenario(path).mission_name == "Test"
    assert main(["scenario", "check", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: OK")


@pytest.mark.parametrize(
    "nested",
    [
        "crew = " + "[" * 5000 + "]" * 5000,
        "crew = [" + "{a = " * 5000 + "1" + "}" * 5000 + "]",
        "crew = " + "[" * 400 + "]" * 400,  # parses; the schema refuses it at the first level
    ],
    ids=["arrays-5000", "inline-tables-5000", "arrays-400"],
)
def test_deeply_nested_toml_is_one_line(tmp_path, nested, capsys):
    path = _scenario(tmp_path, BASE.replace('name = "Test"', f'name = "Test"\n{nested}', 1))
    err = _refused(tmp_path, path, capsys, "")
    assert "not valid TOML" in err or "mission.crew[0]: expected a string" in err
    assert len(err) < 400


def test_empty_element_sets_files(tmp_path, capsys):
    path = _scenario(tmp_path, BASE.replace(f'files = ["{BUNDLED_TLE.as_posix()}"]', "files = []"))
    _refused(tmp_path, path, capsys, "element_sets.files: expected at least 1 item, found []")


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("maps = false", 'name = "out\\u0000put"\nmaps = false', "outputs.name"),
        ('name = "Minsk"', 'name = "Min\\u0000sk"', "stations[0].name"),
        ('name = "Korolev"', 'name = "Korolev\\nMCC"', "stations[1].name"),
        ('name = "docking"', 'name = "dock\\u001b[31ming"', "events[0].name"),
        ('name = "landing"', 'name = "land\\u2028ing"', "events[1].name"),
        ('site = "Baikonur"', 'site = "Baikonur\\u0007"', "launch.site"),
        ('name = "Test"', 'name = "Test"\nslug = "a\\tb"', "mission.slug"),
    ],
    ids=[
        "NUL-outputs",
        "NUL-station",
        "newline-station",
        "ESC-event",
        "LS-event",
        "BEL-site",
        "tab",
    ],
)
def test_control_characters_in_names(tmp_path, old, new, key, capsys):
    assert old in BASE
    path = _scenario(tmp_path, BASE.replace(old, new, 1))
    err = _refused(tmp_path, path, capsys, f"{key}: ")
    assert "control character U+" in err


@pytest.mark.parametrize(
    "old, new, key",
    [
        ('name = "landing"', 'name = "docking"', "events[1].name: 'docking' is used twice"),
        (
            'name = "landing"',
            'name = "launch"',
            "events[1].name: 'launch' is taken by the [launch]",
        ),
    ],
    ids=["two-dockings", "an-event-named-launch"],
)
def test_two_events_with_one_name(tmp_path, old, new, key, capsys):
    path = _scenario(tmp_path, BASE.replace(old, new, 1))
    _refused(tmp_path, path, capsys, key)


@pytest.mark.parametrize(
    "old, new, key",
    [
        (
            'time_utc = "2024-03-28T03:00:00Z"',
            'time_utc = "0001-01-01T00:00:00Z"',
            "events[1].time_utc: 0001-01-01T00:00:00+00:00 is outside 1899-07-29",
        ),
        (
            'time_utc = "2024-03-27T10:00:00Z"',
            "time_utc = 2100-01-01T00:00:00Z",
            "launch.time_utc: 2100-01-01T00:00:00+00:00 is outside",
        ),
        (
            'start = "docking"',
            'start = "1850-01-01T00:00:00Z"',
            "replay.start: 1850-01-01T00:00:00+00:00 is outside",
        ),
        (
            'end = "2024-03-28T06:00:00Z"',
            "end = 9999-12-31T00:00:00Z",
            "replay.end: 9999-12-31T00:00:00+00:00 is outside",
        ),
    ],
    ids=["event-year-1", "launch-2100", "replay-1850", "native-9999"],
)
def test_dates_outside_de421(tmp_path, old, new, key, capsys):
    path = _scenario(tmp_path, BASE.replace(old, new, 1))
    err = _refused(tmp_path, path, capsys, key)
    assert "DE421" in err


@pytest.mark.parametrize(
    "old, new, key",
    [
        (
            'end = "2024-03-28T06:00:00Z"',
            'end = "2026-03-28T06:00:00Z"',
            "replay.end: the window from 2024-03-28T00:00:00+00:00 to 2026-03-28T06:00:00+00:00 "
            "is 730.2 days long",
        ),
        (
            "step_s = 60.0",
            "step_s = 86400.0",
            "replay.step_s: 86400 s is longer than the window (21600 s",
        ),
        ("step_s = 60.0", "step_s = 1e-9", "replay.step_s: 1e-09 s over 0.25 days gives"),
    ],
    ids=["two-years", "step-longer-than-window", "a-nanosecond-step"],
)
def test_absurd_replay_windows(tmp_path, old, new, key, capsys):
    path = _scenario(tmp_path, BASE.replace(old, new, 1))
    _refused(tmp_path, path, capsys, key)


def _check_subprocess(path, timeout_s=60):
    """'sim scenario check' in its own process, so a blocking open cannot hang the tests."""
    return subprocess.run(
        [sys.executable, "-m", "sim", "scenario", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        cwd=path.parent,
    )


def _refused_quickly(tmp_path, path, capsys, problem):
    done = _check_subprocess(path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert problem in done.stderr
    began = time.perf_counter()
    with pytest.raises(sim.ScenarioError, match=re.escape(problem)):
        load_scenario(path)
    assert time.perf_counter() - began < 1.0
    _refused(tmp_path, path, capsys, problem)


def test_a_fifo_is_refused_within_a_second(tmp_path, capsys):
    path = tmp_path / "fifo.toml"
    os.mkfifo(path)
    _refused_quickly(tmp_path, path, capsys, "is a FIFO (named pipe); a scenario file must be")
    assert stat.S_ISFIFO(os.stat(path).st_mode)


def test_a_zero_device_is_refused_within_a_second(tmp_path, capsys):
    path = tmp_path / "zero.toml"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5))  # like /dev/zero, inside tmp_path
    _refused_quickly(tmp_path, path, capsys, "is a character device; a scenario file must be")
    assert stat.S_ISCHR(os.stat(path).st_mode)


def test_a_huge_file_is_refused_by_its_size(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    path.write_text(BASE + "#" * 2_000_000 + "\n")
    err = _refused(tmp_path, path, capsys, "2,00")
    assert "bytes, more than the 1,000,000 allowed for a scenario file" in err


def test_a_folder_is_refused(tmp_path, capsys):
    path = tmp_path / "folder.toml"
    path.mkdir()
    _refused(tmp_path, path, capsys, "is a folder; a scenario file must be a regular file")


def test_not_utf8_is_one_line(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.replace('"Test"', '"Te\xdft"').encode("latin-1"))
    _refused(tmp_path, path, capsys, "is not UTF-8 text")


# --------------------------------------------------------------------------------------------
# the JSON Schema


def _json_ready(value):
    """TOML data as JSON sees it: date-times become ISO strings (as taplo does)."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _validator():
    schema = scenario_json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_schema_validates_the_bundled_scenarios():
    assert len(SCENARIOS) >= 2
    validator = _validator()
    for path in SCENARIOS:
        data = _json_ready(tomllib.loads(path.read_text(encoding="utf-8")))
        errors = list(validator.iter_errors(data))
        assert not errors, (path, [e.message for e in errors])
    # with native TOML date-times too, once they are strings
    text = BASE.replace('time_utc = "2024-03-28T00:00:00Z"', "time_utc = 2024-03-28T00:00:00Z")
    validator.validate(_json_ready(tomllib.loads(text)))


@pytest.mark.parametrize(
    "old, new",
    [
        ('name = "Test"', 'name = "Test"\nnmae = "x"'),
        ("lat_deg = 53.9", "lat_deg = 95.0"),
        ("lat_deg = 53.9", 'lat_deg = "53.9"'),
        ("norad_id = 25544", "norad_id = true"),
        ("step_s = 60.0", "step_s = 0"),
        ('kind = "landing"', 'kind = "splashdown"'),
        ("maps = false", "maps = 0"),
        ("maps = false", 'name = "../x"\nmaps = false'),
        ("maps = false", 'name = "a\\u0000b"\nmaps = false'),
        ('name = "Minsk"', 'name = "   "'),
        (f'files = ["{BUNDLED_TLE.as_posix()}"]', "files = []"),
        ("lon_deg = 27.57", "lon_deg = 27.57\nhorizon_mask = [[0, 5], [400, 5]]"),
        ("[outputs]", "[output]"),
    ],
)
def test_schema_and_loader_refuse_the_same_values(tmp_path, old, new):
    """What an editor flags while typing is what 'sim run' refuses."""
    text = BASE.replace(old, new, 1)
    assert text != BASE
    with pytest.raises(sim.ScenarioError):
        load_scenario(_scenario(tmp_path, text))
    assert list(_validator().iter_errors(_json_ready(tomllib.loads(text))))


def test_every_key_has_a_description():
    schema = scenario_json_schema()
    tables = schema["definitions"]
    assert set(schema["properties"]) == {
        "mission",
        "object",
        "launch",
        "events",
        "replay",
        "element_sets",
        "stations",
        "flight",
        "visibility",
        "outputs",
    }
    count = 0
    for name, table in tables.items():
        assert table.get("description"), name
        assert table["additionalProperties"] is False, name
        for key, prop in table["properties"].items():
            count += 1
            assert len(prop.get("description", "")) > 8, f"{name}.{key}"
            if prop.get("type") == "number":  # units are named in the key or the text
                unit_words = ("deg", "second", "days", "metres", "_s", "km")
                assert any(u in key or u in prop["description"] for u in unit_words), key
    assert count >= 45


def test_committed_schema_is_what_sim_prints(capsys):
    assert main(["scenario", "schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == scenario_json_schema()
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "scenarios/scenario.schema.json is stale: run "
        "'sim scenario schema > scenarios/scenario.schema.json'"
    )


def test_bundled_scenarios_point_editors_at_the_schema():
    for path in SCENARIOS:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "#:schema ./scenario.schema.json", path


def test_scenario_check_prints_one_ok_line(capsys):
    for path in SCENARIOS:
        assert main(["scenario", "check", str(path)]) == 0
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and out.startswith(f"{path}: OK: ")
    sc = load_scenario(SCENARIOS[-1])
    samples = int((sc.end - sc.start).total_seconds() / sc.step_s) + 1
    assert f"({samples:,} samples)" in sc.summary_line()
