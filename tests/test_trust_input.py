"""Issue 11, input side: honest data (one staleness rule), safe element-set inputs, finite CLI
numbers, and one answer from the API and the CLI.

Every bad input gives exit code 2 and one line on stderr naming the place; never exit code 1.
"""

import json
import os
import re
import resource
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import BUNDLED_TLE, omm_record

import sim
from sim.cli import main
from sim.elements import read_element_sets, tle_checksum

L1 = "1 25544U 98067A   24087.50963912  .00035317  00000+0  63250-3 0  9993"
L2 = "2 25544  51.6411   0.3077 0004676   8.9972 162.1343 15.49609731445878"
LAST_SET = "2024-04-10T00:56:13Z"  # epoch of the last bundled set
FIRST_SET = "2024-03-27T12:13:53Z"


def _fix(line):
    return line[:68] + str(tle_checksum(line))


def _strict_json(text):
    """json.loads that refuses NaN and Infinity, as every JSON reader but Python's does."""

    def refuse(name):
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def _one_line_error(capsys, *fragments):
    err = capsys.readouterr().err
    assert err.startswith("sim: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "unexpected error" not in err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _passes(start, end, *extra):
    return main(
        [
            "passes",
            "--tle",
            str(BUNDLED_TLE),
            "--station",
            "Minsk=53.9,27.57",
            "--start",
            start,
            "--end",
            end,
            *extra,
        ]
    )


def _track(start, end, out, *extra, tle=BUNDLED_TLE, step="600"):
    return main(
        [
            "track",
            "--tle",
            str(tle),
            "--start",
            start,
            "--end",
            end,
            "--step",
            step,
            "--output",
            str(out),
            *extra,
        ]
    )


# ---------------------------------------------------------------------------------------------
# 1. honest data: warned beyond max_age_days, refused beyond the hard limit


def test_passes_45_days_after_the_last_set_are_refused_naming_span_and_set(capsys):
    assert _passes("2024-05-25T00:00Z", "2024-05-26T00:00Z") == 2
    _one_line_error(
        capsys,
        "2024-05-25T00:00:00Z to 2024-05-26T00:00:00Z",
        "46.0 days from the element set in force",
        f"epoch {LAST_SET}",
        f"{BUNDLED_TLE}:17",
        "limit of 30 days",
        "--max-extrapolation-days",
    )


def test_passes_under_the_hard_limit_are_warned_about(capsys):
    # 15 days after the last set: computed, and said to be approximate on stderr
    assert _passes("2024-04-25T00:00Z", "2024-04-25T12:00Z", "--json") == 0
    captured = capsys.readouterr()
    passes = _strict_json(captured.out)
    assert passes and all(p["element_set_epoch_utc"] == LAST_SET for p in passes)
    assert "sim: warning: element set 15.5 days old (limit 3)" in captured.err
    assert "propagated forwards and approximate" in captured.err
    # the limit can be raised on purpose: 45 days then run, with the warning
    assert _passes("2024-05-25T00:00Z", "2024-05-25T06:00Z", "--max-extrapolation-days", "60") == 0
    assert "element set 45.2 days old" in capsys.readouterr().err


def test_window_json_carries_the_warnings(capsys):
    code = main(
        [
            "window",
            "--tle",
            str(BUNDLED_TLE),
            "--site",
            "45.9961,63.5639",
            "--start",
            "2024-04-20",
            "--end",
            "2024-04-21",
            "--json",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    data = _strict_json(captured.out)
    assert len(data["warnings"]) == 1 and "days old (limit 3)" in data["warnings"][0]
    assert data["warnings"][0] in captured.err


def test_track_json_carries_the_warnings(tmp_path):
    out = tmp_path / "t.json"
    assert _track("2024-04-20T00:00Z", "2024-04-20T01:00Z", out) == 0
    data = _strict_json(out.read_text())
    assert len(data["warnings"]) == 1 and "10.0 days old" in data["warnings"][0]


def test_sgp4_failing_at_every_instant_is_refused_not_zero_passes(capsys):
    # in 2050 the ISS's 2024 elements give no state at all: never print "0 passes"
    code = _passes("2050-01-01T00:00Z", "2050-01-02T00:00Z", "--max-extrapolation-days", "36000")
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("sim: warning: element set 9398.0 days old")  # the limit is lifted
    assert len(err) == 2 and err[1].startswith("sim: error: ")
    for fragment in (
        "2050-01-01T00:00:00Z to 2050-01-02T00:00:00Z: SGP4 fails at every instant",
        "mean eccentricity is outside the range",
        f"epoch {LAST_SET}",
    ):
        assert fragment in err[1]


def test_replay_in_1950_is_refused_not_1e13_km(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert _track("1950-01-01T00:00Z", "1950-01-02T00:00Z", out) == 2
    _one_line_error(capsys, "1950-01-01T00:00:00Z to 1950-01-02T00:00:00Z", "27114.5 days")
    # with the limit lifted, SGP4 returns 1e13 km with error code 0: refused as no orbit
    assert _track("1950-01-01T00:00Z", "1950-01-02T00:00Z", out, "--max-extrapolation-days", "3e4")
    _one_line_error(capsys, "1950-01-01T00:00:00Z: SGP4 returned a state no orbit has")
    assert not out.exists()


@pytest.mark.parametrize(
    "start, end",
    [("1899-07-01", "1899-07-02"), ("2054-01-01", "2054-01-02"), ("0001-01-01", "0001-01-02")],
)
def test_dates_outside_de421_are_refused(tmp_path, capsys, start, end):
    # full instants: a bare --end date would include that whole day
    code = _track(
        f"{start}T00:00Z", f"{end}T00:00Z", tmp_path / "t.csv", "--max-extrapolation-days", "36000"
    )
    assert code == 2
    _one_line_error(capsys, f"{start}T00:00:00Z to {end}T00:00:00Z", "outside DE421's range")


SCENARIO = """
[mission]
name = "Far"
[object]
norad_id = 25544
{events}
[replay]
start = "{start}"
end = "{end}"
step_s = 600
[element_sets]
files = ["{tle}"]
[outputs]
maps = false
skyplots = false
"""


def _scenario(tmp_path, start, end, events=""):
    path = tmp_path / "s.toml"
    path.write_text(
        SCENARIO.format(start=start, end=end, events=events, tle=BUNDLED_TLE.as_posix())
    )
    return path


def test_scenario_in_1950_is_refused(tmp_path, capsys):
    path = _scenario(tmp_path, "1950-01-01T00:00Z", "1950-01-02T00:00Z")
    assert main(["run", str(path), "--quiet", "--no-plots", "--out", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "1950-01-01T00:00:00Z to 1950-01-02T00:00:00Z", "limit of 30 days")
    assert not (tmp_path / "o").exists()


def test_event_in_year_1_is_refused(tmp_path, capsys):
    events = '[[events]]\nname = "ancient"\nkind = "other"\ntime_utc = "0001-01-01T00:00:00Z"\n'
    path = _scenario(tmp_path, "2024-03-28T00:00Z", "2024-03-28T06:00Z", events)
    assert main(["run", str(path), "--quiet", "--no-plots", "--out", str(tmp_path / "o")]) == 2
    # the scenario loader refuses it first, naming the key
    _one_line_error(capsys, "events[0].time_utc: 0001-01-01", "DE421")


def test_scenario_limit_can_be_raised_from_the_command_line(tmp_path, capsys):
    path = _scenario(tmp_path, "2024-05-25T00:00Z", "2024-05-25T06:00Z")
    out = tmp_path / "o"
    args = ["run", str(path), "--quiet", "--no-plots", "--out", str(out)]
    assert main(args) == 2
    capsys.readouterr()
    assert main([*args, "--max-extrapolation-days", "60"]) == 0
    summary = _strict_json((out / "summary.json").read_text())
    assert summary["warnings"][0].startswith("element set 45.2 days old (limit 3) from 2024-05-25")
    # the same option on the command that replays a scenario into one file
    export = ["export", "json", str(path), "--output", str(tmp_path / "x.json")]
    assert main(export) == 2
    _one_line_error(capsys, "limit of 30 days")
    assert main([*export, "--max-extrapolation-days", "60"]) == 0
    exported = _strict_json((tmp_path / "x.json").read_text())
    assert exported["summary"]["warnings"] == summary["warnings"]


def test_states_below_80_km_are_decay_failures_and_json_has_null(tmp_path):
    # a decaying object: SGP4 gives states inside the atmosphere with error code 0
    line1 = _fix("1 99999U 24001A   24087.50000000  .09000000  00000+0  90000-1 0  9990")
    line2 = _fix("2 99999  51.6000  10.0000 0005000  10.0000 350.0000 16.20000000100000")
    (tmp_path / "decay.tle").write_text(f"{line1}\n{line2}\n")
    cat = sim.load_catalogue(tmp_path / "decay.tle")
    from sim.ephemeris import propagate

    eph = propagate(cat, start="2024-03-27T12:00Z", end="2024-03-28T00:00Z", step_s=60)
    good = eph.ok
    radius = np.linalg.norm(eph.r_teme_km[good], axis=1)
    assert good.any() and (radius >= 6356.752 + 80).all()
    assert np.isnan(eph.r_teme_km[~good]).all()
    # the event lies after the decay: its position is missing, written as null
    events = '[[events]]\nname = "late"\nkind = "other"\ntime_utc = "2024-03-27T23:00:00Z"\n'
    path = _scenario(tmp_path, "2024-03-27T12:00Z", "2024-03-28T00:00Z", events)
    path.write_text(path.read_text().replace(BUNDLED_TLE.as_posix(), "decay.tle"))
    path.write_text(path.read_text().replace("norad_id = 25544", "norad_id = 99999"))
    out = tmp_path / "o"
    assert main(["run", str(path), "--quiet", "--no-plots", "--out", str(out)]) == 0
    summary = _strict_json((out / "summary.json").read_text())
    assert summary["events"][0]["iss_lat_deg"] is None
    assert "event late: SGP4 gives no ISS position" in summary["warnings"][-1]
    for name in ("groundtrack.geojson", "passes.json"):
        _strict_json((out / name).read_text())
    # no export writes nan: the event without a position is left out or left empty
    for fmt in ("czml", "kml", "geojson", "json", "csv"):
        target = tmp_path / f"x.{fmt}"
        assert main(["export", fmt, str(path), "--output", str(target)]) == 0
        for written in tmp_path.glob("x.*"):
            assert not re.search(r"\bnan\b|NaN|Infinity", written.read_text()), written
    events_csv = (tmp_path / "x.events.csv").read_text().splitlines()
    assert events_csv[1].startswith("late,other,2024-03-27T23:00:00.000Z,,,,,")


def test_json_safe_turns_every_non_finite_number_into_null():
    from sim.results import json_safe

    data = {"a": [1.0, float("nan"), {"b": float("inf")}], "c": (np.float64("-inf"), 2)}
    text = json.dumps(json_safe(data), allow_nan=False)
    assert _strict_json(text) == {"a": [1.0, None, {"b": None}], "c": [None, 2]}


# ---------------------------------------------------------------------------------------------
# 2. non-finite or impossible element fields


OMM_BAD = {
    **{
        f"{field} = {value}": (
            "json",
            json.dumps([omm_record(**{field: value})]),
            f":1: OMM field {field} is '{value}', expected a",
        )
        for field in (
            "BSTAR",
            "NORAD_CAT_ID",
            "EPHEMERIS_TYPE",
            "REV_AT_EPOCH",
            "ELEMENT_SET_NO",
            "MEAN_MOTION",
            "MEAN_MOTION_DOT",
            "MEAN_MOTION_DDOT",
            "INCLINATION",
        )
        for value in ("nan", "inf", "-inf")
    },
    **{
        f"{field} = 1e30": (
            "json",
            json.dumps([omm_record(**{field: "1e30"})]),
            f":1: OMM field {field} is '1e30', ",
        )
        for field in (
            "NORAD_CAT_ID",
            "EPHEMERIS_TYPE",
            "REV_AT_EPOCH",
            "ELEMENT_SET_NO",
            "BSTAR",
            "MEAN_MOTION_DOT",
        )
    },
    "CLASSIFICATION_TYPE too long": (
        "json",
        json.dumps([omm_record(CLASSIFICATION_TYPE="UNCLASSIFIED")]),
        ":1: OMM field CLASSIFICATION_TYPE is 'UNCLASSIFIED', expected one letter",
    ),
    "_UNITS a list": (
        "json",
        json.dumps([omm_record(_UNITS=["rev/day"])]),
        ":1: OMM _UNITS is a list, expected a table",
    ),
    "_UNITS a number": (
        "json",
        json.dumps([omm_record(_UNITS={"MEAN_MOTION": 15})]),
        ":1: OMM _UNITS entry 'MEAN_MOTION': 15 is not a field name with a unit text",
    ),
    "field holding a table": (
        "json",
        json.dumps([omm_record(OBJECT_NAME={"a": 1})]),
        ":1: OMM field OBJECT_NAME is a dict, expected a value",
    ),
    "JSON nested deep": ("json", "[" * 100_000 + "]" * 100_000, ": JSON nested too deep"),
    "EPOCH in year 9999": (
        "json",
        json.dumps([omm_record(EPOCH="9999-12-31T23:59:59.999999")]),
        ":1: OMM EPOCH '9999-12-31T23:59:59.999999' is outside 1957..2056",
    ),
    "EPOCH in year 1": (
        "json",
        json.dumps([omm_record(EPOCH="0001-01-01T00:00:00")]),
        ":1: OMM EPOCH '0001-01-01T00:00:00' is outside 1957..2056",
    ),
    "CSV field over the csv module's limit": (
        "csv",
        ",".join(omm_record()) + "\n" + ",".join(omm_record(OBJECT_NAME="X" * 200_000).values()),
        ":2: not valid OMM CSV (field larger than field limit",
    ),
    "XML default namespace": (
        "xml",
        '<ndm xmlns="urn:ccsds:ndm"><omm><segment><data><meanElements>'
        + "".join(f"<{k}>{v}</{k}>" for k, v in omm_record().items())
        + "</meanElements></data></segment></omm></ndm>",
        ":1: the XML root <ndm> is in the namespace 'urn:ccsds:ndm'",
    ),
}


@pytest.mark.parametrize("case", sorted(OMM_BAD))
def test_bad_omm_field_is_exit_2_naming_the_field(case, tmp_path, capsys):
    kind, text, expected = OMM_BAD[case]
    path = tmp_path / f"bad.{kind}"
    path.write_text(text)
    assert _track("2024-03-28T00:00Z", "2024-03-28T01:00Z", tmp_path / "t.csv", tle=path) == 2
    _one_line_error(capsys, f"{path}{expected}")
    assert main(["tle", "check", str(path)]) == 2
    assert f"{path}{expected}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "year, day, expected",
    [
        ("24", "000.50000000", "outside 1..366 of 2024"),
        ("23", "366.50000000", "outside 1..365 of 2023 (not a leap year)"),
        ("24", "999.00000000", "outside 1..366 of 2024"),
    ],
)
def test_tle_epoch_day_outside_the_year_is_refused(tmp_path, capsys, year, day, expected):
    path = tmp_path / "day.tle"
    path.write_text(f"{_fix(L1[:18] + year + day + L1[32:])}\n{L2}\n")
    assert main(["tle", "check", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"{path}:1: line 1 columns 21-32 (epoch day) hold '{day}', {expected}" in out


def test_tle_epoch_day_366_of_a_leap_year_reads(tmp_path):
    path = tmp_path / "leap.tle"
    path.write_text(f"{_fix(L1[:18] + '24366.50000000' + L1[32:])}\n{L2}\n")
    assert read_element_sets(path).sets[0].epoch_iso == "2024-12-31T12:00:00Z"


# ---------------------------------------------------------------------------------------------
# 3. inputs: regular files of bounded size, BOM, names that begin with a digit


def _limited():
    # the child may not grow beyond 2 GB: the old code read /dev/zero until memory ran out
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


@pytest.mark.parametrize("kind", ["fifo", "char device"])
def test_special_files_are_refused_at_once(tmp_path, capsys, kind):
    path = tmp_path / "special.tle"
    if kind == "fifo":
        os.mkfifo(path)
    else:  # the same device numbers as /dev/zero, made inside the temporary folder
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    # first in a child process that cannot hang or eat memory, then in-process for the timing
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-m", "sim", "tle", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited,
    )
    assert child.returncode == 2, child.stderr[-300:]
    assert time.perf_counter() - started < 30
    started = time.perf_counter()
    code = _track("2024-03-28T00:00Z", "2024-03-28T01:00Z", tmp_path / "t.csv", tle=path)
    assert time.perf_counter() - started < 1.0
    assert code == 2
    name = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    _one_line_error(capsys, f"{path}: is {name}; an element-set file must be a regular file")
    assert stat.S_ISFIFO(path.stat().st_mode) or stat.S_ISCHR(path.stat().st_mode)


def test_a_folder_is_refused(tmp_path, capsys):
    assert _track("2024-03-28T00:00Z", "2024-03-28T01:00Z", tmp_path / "t.csv", tle=tmp_path) == 2
    _one_line_error(capsys, f"{tmp_path}: is a folder; an element-set file must be a regular file")


def test_element_files_have_a_size_limit(tmp_path, capsys, monkeypatch):
    import sim.elements.files as files

    monkeypatch.setattr(files, "MAX_ELEMENT_FILE_BYTES", 1000)
    path = tmp_path / "big.tle"
    path.write_text(f"{L1}\n{L2}\n" * 10)
    assert _track("2024-03-28T00:00Z", "2024-03-28T01:00Z", tmp_path / "t.csv", tle=path) == 2
    _one_line_error(capsys, f"{path}: 1,400 bytes, more than the 1,000 allowed", "split it")
    assert files.MAX_ELEMENT_FILE_BYTES == 1000  # and the default is 200 MB
    monkeypatch.undo()
    assert files.MAX_ELEMENT_FILE_BYTES == 200_000_000


@pytest.mark.parametrize("kind", ["tle", "csv", "json", "xml"])
def test_utf8_byte_order_mark_is_stripped(tmp_path, kind):
    record = omm_record()
    text = {
        "tle": f"ISS (ZARYA)\n{L1}\n{L2}\n",
        "csv": ",".join(record) + "\n" + ",".join(record.values()) + "\n",
        "json": json.dumps([record]),
        "xml": "<ndm><omm><segment><data><meanElements>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in record.items())
        + "</meanElements></data></segment></omm></ndm>",
    }[kind]
    path = tmp_path / f"bom.{kind}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    got = read_element_sets(path).sets
    assert len(got) == 1 and got[0].norad_id == 25544
    assert got[0].name == "ISS (ZARYA)"  # the first CSV column keeps its name


def test_3le_names_that_begin_with_a_digit(tmp_path):
    later = _fix(L1[:20] + "088.50963912" + L1[32:])
    path = tmp_path / "digits.tle"
    path.write_text(f"1KUNS-PF\n{L1}\n{L2}\n2020 SO\n{later}\n{L2}\n0 1998-067A\n{L1}\n{L2}\n")
    report = read_element_sets(path)
    assert [s.name for s in report.sets] == ["1KUNS-PF", "2020 SO"]
    assert len(report.duplicates) == 1  # the third set repeats the first, named '1998-067A'


def test_a_stray_line_that_only_looks_like_a_name_is_still_reported(tmp_path):
    path = tmp_path / "stray.tle"
    path.write_text(f"{L1}\n{L2}\n2020 SO\n")
    with pytest.raises(sim.TLEError, match=r"stray.tle:3: title line '2020 SO' is not followed"):
        read_element_sets(path)


def test_memory_is_estimated_before_a_large_track(tmp_path, capsys, monkeypatch):
    import sim.elements.trust as trust

    monkeypatch.setattr(trust, "available_memory_bytes", lambda: 100_000_000)
    out = tmp_path / "t.csv"
    # 12 days every second: 1,036,801 samples, about 0.4 GB
    assert _track("2024-03-28T00:00Z", "2024-04-09T00:00Z", out, step="1") == 2
    _one_line_error(
        capsys,
        "track: 1,036,802 samples need about 0.4 GB of memory, more than the 0.1 GB available",
        "use a larger step or a shorter span",
    )
    assert not out.exists()


def test_available_memory_respects_ulimit(monkeypatch):
    import sim.elements.trust as trust

    limit = 8 * 1024**3  # as if run under 'ulimit -v 8388608'
    monkeypatch.setattr(trust.resource, "getrlimit", lambda which: (limit, resource.RLIM_INFINITY))
    assert 0 < trust.available_memory_bytes() <= limit


# ---------------------------------------------------------------------------------------------
# 4. numbers on the command line


NUMBER_CASES = {
    "insertion nan": (["window", "--insertion-s", "nan"], "--insertion-s: 'nan' is not a finite"),
    "insertion big": (["window", "--insertion-s", "1e9"], "--insertion-s: 1e9 is outside 0..3600"),
    "downrange inf": (["window", "--downrange-deg", "inf"], "--downrange-deg: 'inf' is not"),
    "speed nan": (["animate", "--speed", "nan"], "--speed: 'nan' is not a finite number"),
    "speed zero": (["animate", "--speed", "0"], "--speed: 0 is outside more than 0"),
    "step nan": (["track", "--step", "nan"], "--step: 'nan' is not a finite number"),
    "step inf": (["track", "--step", "inf"], "--step: 'inf' is not a finite number"),
    "step negative": (["track", "--step", "-5"], "--step: -5 is outside 0.001..86400"),
    "mask nan": (["passes", "--min-elevation", "nan"], "--min-elevation: 'nan' is not a finite"),
    "mask 100": (["passes", "--min-elevation", "100"], "--min-elevation: 100 is outside -5..89"),
    "limit nan": (["track", "--max-extrapolation-days", "nan"], "'nan' is not a finite number"),
}


def _full_command(words):
    command, option, value = words
    base = {
        "window": ["--tle", str(BUNDLED_TLE), "--site", "45.9,63.3", "--start", "2024-03-28"]
        + ["--end", "2024-03-29"],
        "animate": ["--output", "x.gif"],
        "track": ["--tle", str(BUNDLED_TLE), "--start", "2024-03-28", "--end", "2024-03-29"]
        + ["--output", "x.csv"],
        "passes": ["--tle", str(BUNDLED_TLE), "--station", "M=53.9,27.6", "--start"]
        + ["2024-03-28", "--end", "2024-03-29"],
    }[command]
    return [command, *base, f"{option}={value}"]


@pytest.mark.parametrize("case", sorted(NUMBER_CASES))
def test_cli_numbers_must_be_finite_and_in_range(case, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    words, expected = NUMBER_CASES[case]
    with pytest.raises(SystemExit) as stop:
        main(_full_command(words))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"argument {expected}" in err or expected in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# 5. one number, two doors


def test_find_passes_with_a_preset_applies_its_mask_like_the_cli(catalogue, capsys):
    from sim.passes import Station, find_passes

    start, end = "2024-03-28T00:00Z", "2024-03-30T00:00Z"
    api = find_passes(catalogue, [Station("Minsk", 53.9, 27.57)], start, end, preset="nasa")
    assert _passes(start, end, "--preset", "nasa", "--json") == 0
    cli = json.loads(capsys.readouterr().out)
    assert [p.to_dict() for p in api] == cli
    assert api and min(p.max_elevation_deg for p in api if not p.open_start) >= 15.0
    # a station's own mask still wins, as --min-elevation does
    minsk_10 = Station("Minsk", 53.9, 27.57, 0.0, 10.0)
    own = find_passes(catalogue, [minsk_10], start, end, preset="nasa")
    assert len(own) > len(api)


def test_a_gap_between_sets_names_the_nearest_set_and_the_rule_that_uses_it(tmp_path, capsys):
    later = _fix(L1[:20] + "147.50963912" + L1[32:])  # 60 days after the first set
    path = tmp_path / "gap.tle"
    path.write_text(f"{L1}\n{L2}\n{later}\n{L2}\n")
    out = tmp_path / "t.csv"
    assert _track("2024-05-20T00:00Z", "2024-05-20T06:00Z", out, tle=path) == 2
    _one_line_error(
        capsys,
        "53.7 days from the element set in force (epoch 2024-03-27T12:13:53Z",
        f"the nearest set is 2024-05-26T12:13:53Z ({path}:3), which the 'nearest' switch rule",
    )
    assert (
        _track("2024-05-20T00:00Z", "2024-05-20T06:00Z", out, "--switch", "nearest", tle=path) == 0
    )
