"""Bad input, partial data and nothing lost: the matrix of issue 8, property tests, soak.

Every bad input must give exit code 2 and exactly one line on stderr naming the place; never a
traceback, never exit code 1.
"""

import errno
import json
import random
import string

import pytest
from conftest import BUNDLED_TLE, omm_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.elements import read_element_sets, tle_checksum

L1 = "1 25544U 98067A   24087.50963912  .00035317  00000+0  63250-3 0  9993"
L2 = "2 25544  51.6411   0.3077 0004676   8.9972 162.1343 15.49609731445878"
OTHER1 = "1 48274U 21035A   24087.50000000  .00021000  00000+0  25000-3 0  9991"
OTHER2 = "2 48274  41.4700 120.0000 0005000  10.0000 350.0000 15.60000000160007"


def _fix(line):
    return line[:68] + str(tle_checksum(line))


def _track(path, tmp_path, *extra):
    out = tmp_path / "t.csv"
    code = main(
        [
            "track",
            "--tle",
            str(path),
            "--start",
            "2024-03-28T00:00Z",
            "--end",
            "2024-03-28T01:00Z",
            "--step",
            "60",
            "--output",
            str(out),
            *extra,
        ]
    )
    return code, out


TLE_MATRIX = {
    "truncated": (f"ISS\n{L1}\n{L2[:40]}\n", ":2: line 2 is 40 characters long, expected 69"),
    "wrong checksum": (f"{L1}\n{L2[:68]}9\n", ":1: line 2 checksum is 9, expected 8"),
    "swapped lines": (f"{L2}\n{L1}\n", ":1: line 2 without a line 1 before it"),
    "line too long": (f"{L1} \u0020x\n{L2}\n", ":1: line 1 is 72 characters long, expected 69"),
    "non-ASCII": (
        f"{L1[:20]}\u00e9{L1[21:]}\n{L2}\n",
        ":1: line 1 holds the non-ASCII character 'é'",
    ),
    "tab": (f"{L1[:17]}\t{L1[18:]}\n{L2}\n", ":1: line 1 holds a tab"),
    "mixture of objects": (
        f"{L1}\n{L2}\n{_fix(OTHER1)}\n{_fix(OTHER2)}\n",
        ": holds 2 objects (NORAD [25544, 48274])",
    ),
    "duplicate epochs, different elements": (
        f"{L1}\n{L2}\n{L1}\n{_fix(L2[:52] + '15.49609799' + L2[63:])}\n",
        ":3: epoch 2024-03-27T12:13:53Z repeats",
    ),
    "ephemeris type 4": (
        f"{_fix(L1[:62] + '4' + L1[63:])}\n{L2}\n",
        ":1: ephemeris type 4 (SGP4-XP) elements cannot be propagated",
    ),
}


@pytest.mark.parametrize("case", sorted(TLE_MATRIX))
def test_tle_matrix(case, tmp_path, capsys):
    text, expected = TLE_MATRIX[case]
    path = tmp_path / "bad.tle"
    path.write_text(text, encoding="utf-8")
    code, out = _track(path, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"sim: error: {path}{expected}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    if case == "mixture of objects":  # valid for a check: a file may hold many objects
        assert main(["tle", "check", str(path)]) == 0
        assert "2 element sets of NORAD [25544, 48274]" in capsys.readouterr().out
    else:
        assert main(["tle", "check", str(path)]) == 2
        assert f"{path}{expected}" in capsys.readouterr().out


def test_crlf_and_trailing_blank_lines_are_fine(tmp_path):
    path = tmp_path / "crlf.tle"
    path.write_bytes(f"ISS (ZARYA)\r\n{L1}\r\n{L2}\r\n\r\n\r\n".encode())
    code, out = _track(path, tmp_path)
    assert code == 0 and out.exists()


def test_ten_megabytes_of_junk(tmp_path, capsys):
    rng = random.Random(8)
    alphabet = string.ascii_letters + string.digits + " +-./"
    lines = ["".join(rng.choice(alphabet) for _ in range(76)) for _ in range(1000)]
    block = "\n".join(lines) + "\n"
    path = tmp_path / "junk.tle"
    path.write_text(block * (10_000_000 // len(block) + 1))
    assert path.stat().st_size > 10_000_000
    code, _ = _track(path, tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"sim: error: {path}:1: ") and err.count("\n") == 1
    assert main(["tle", "check", str(path)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 21 and out[-1].startswith(f"{path}: ... and ")


def test_epochs_far_from_the_window_warn(tmp_path, capsys):
    # the window lies 10 days before the first set: it is replayed, and said to be approximate
    code = main(
        [
            "track",
            "--tle",
            str(BUNDLED_TLE),
            "--start",
            "2024-03-17T00:00Z",
            "--end",
            "2024-03-17T01:00Z",
            "--step",
            "600",
            "--output",
            str(tmp_path / "t.csv"),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "element set 10.5 days old (limit 3)" in err and "propagated backwards" in err


_omm = omm_record


def _xml(record, units):
    tags = "".join(
        f'<{k} units="{units[k]}">{v}</{k}>' if k in units else f"<{k}>{v}</{k}>"
        for k, v in record.items()
    )
    return (
        f"<ndm><omm><segment><metadata/><data><meanElements>{tags}</meanElements>"
        "</data></segment></omm></ndm>"
    )


OMM_MATRIX = {
    "missing field": (
        "json",
        json.dumps([_omm(MEAN_MOTION=None)]),
        ":1: OMM record lacks the field MEAN_MOTION (expected a value)",
    ),
    "string for a number": (
        "json",
        json.dumps([_omm(ECCENTRICITY="small")]),
        ":1: OMM field ECCENTRICITY is 'small', expected a number",
    ),
    "unknown units": (
        "xml",
        _xml(_omm(), {"MEAN_MOTION": "rad/s"}),
        ":1: OMM field MEAN_MOTION is given in 'rad/s', expected rev/day",
    ),
    "bad epoch": (
        "json",
        json.dumps([_omm(EPOCH="yesterday")]),
        ":1: OMM EPOCH is 'yesterday', expected YYYY-MM-DDTHH:MM:SS.ffffff",
    ),
    "not JSON": ("json", '[{"EPOCH": ', ":1: not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(OMM_MATRIX))
def test_omm_matrix(case, tmp_path, capsys):
    kind, text, expected = OMM_MATRIX[case]
    path = tmp_path / f"bad.{kind}"
    path.write_text(text)
    code, out = _track(path, tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"sim: error: {path}{expected}")
    assert err.count("\n") == 1 and not out.exists()


def test_omm_xml_with_the_right_units_reads(tmp_path):
    units = {"MEAN_MOTION": "rev/day", "INCLINATION": "deg", "BSTAR": "1/ER"}
    path = tmp_path / "ok.xml"
    path.write_text(_xml(_omm(), units))
    assert read_element_sets(path).sets[0].norad_id == 25544


def test_output_folder_not_writable(capsys):
    # /sys refuses new folders even to root, which CI is
    code = main(["run", "--quiet", "--no-plots", "--out", "/sys/sim-out"])
    err = capsys.readouterr().err
    assert code == 2
    # the lock file beside the output is the first thing written: EACCES from /sys
    assert err == "sim: error: /sys: cannot write in the output folder (Permission denied)\n"


def test_full_disk_keeps_previous_results(tmp_path, monkeypatch, capsys):
    out = tmp_path / "o"
    assert main(["run", "--quiet", "--no-plots", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import builtins

    import sim.export.atomic as atomic

    def full_open(file, mode="r", **kwargs):
        handle = builtins.open(file, mode, **kwargs)
        written = [0]
        real_write = handle.write

        def write(data):
            written[0] += len(data)
            if written[0] > 4096:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(data)

        handle.write = write
        return handle

    monkeypatch.setattr(atomic, "open", full_open, raising=False)
    code = main(["run", "--quiet", "--no-plots", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "writing failed (No space left on device)" in err
    assert err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_debug_shows_the_traceback(capsys):
    assert main(["--debug", "run", "no/such.toml", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: no/such.toml: no such scenario file\n")
    assert "Traceback" in err


def test_unexpected_error_is_exit_1_with_a_hint(monkeypatch, capsys):
    import sim.scenario

    def bug(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(sim.scenario, "load_scenario", bug)
    assert main(["run", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError" in err and "please report it" in err
    assert "Traceback" not in err


def test_sgp4_failures_are_counted_in_the_summary(tmp_path):
    line1 = _fix("1 99999U 24001A   24087.50000000  .09000000  00000+0  90000-1 0  9990")
    line2 = _fix("2 99999  51.6000  10.0000 0005000  10.0000 350.0000 16.20000000100000")
    (tmp_path / "decay.tle").write_text(f"{line1}\n{line2}\n")
    (tmp_path / "s.toml").write_text("""
[mission]
name = "Decay"
[object]
norad_id = 99999
[replay]
start = "2024-03-27T12:00Z"
end = "2024-04-20T00:00Z"
step_s = 3600
[element_sets]
files = ["decay.tle"]
max_age_days = 100
""")
    res = sim.run_scenario(sim.load_scenario(tmp_path / "s.toml"))
    summary = res.summary()
    bad = int((~res.ephemeris.ok).sum())
    assert 0 < bad < len(res.ephemeris) and summary["sgp4_failures"]["instants"] == bad
    assert sum(summary["sgp4_failures"]["reasons"].values()) == bad
    assert any("SGP4 failed at" in w for w in summary["warnings"])
    sim.write_results(res, tmp_path / "out", plots=False)
    rows = (tmp_path / "out" / "track.csv").read_text().splitlines()[1:]
    assert len(rows) == len(res.ephemeris) and sum(",,,," in r for r in rows) == bad


# ---------------------------------------------------------------------------------------------
# property tests


@settings(max_examples=60, deadline=None)
@given(
    inc=st.floats(0.0, 180.0),
    raan=st.floats(0.0, 359.9999),
    ecc=st.floats(0.0, 0.95),
    argp=st.floats(0.0, 359.9999),
    mo=st.floats(0.0, 359.9999),
    n=st.floats(1.0, 16.5),
    bstar=st.one_of(st.just(0.0), st.floats(1e-8, 1e-3), st.floats(-1e-3, -1e-8)),
    day=st.floats(1.0, 365.0),
)
def test_written_tle_reads_back_with_the_same_elements(
    tmp_path_factory, inc, raan, ecc, argp, mo, n, bstar, day
):
    from math import pi, radians

    from sgp4.api import WGS72, Satrec
    from sgp4.exporter import export_tle

    sat = Satrec()
    epoch = 24 * 365.25 + day  # days since 1949-12-31
    sat.sgp4init(
        WGS72,
        "i",
        25544,
        epoch,
        bstar,
        0.0,
        0.0,
        ecc,
        radians(argp),
        radians(inc),
        radians(mo),
        n / 720.0 * pi,
        radians(raan),
    )
    sat.classification, sat.intldesg, sat.elnum, sat.revnum, sat.ephtype = "U", "98067A", 999, 1, 0
    line1, line2 = export_tle(sat)
    path = tmp_path_factory.mktemp("rt") / "x.tle"
    path.write_text(f"{line1}\n{line2}\n")
    got = read_element_sets(path).sets[0]
    assert got.inclination_deg == pytest.approx(inc, abs=6e-5)
    assert got.eccentricity == pytest.approx(ecc, abs=6e-8)
    assert got.mean_motion_rev_per_day == pytest.approx(n, abs=6e-9)
    for name, want in (("raan_deg", raan),):
        assert (getattr(got, name) - want + 180) % 360 - 180 == pytest.approx(0, abs=6e-5)
    assert got.to_tle() == (line1, line2)  # writing again is stable


def test_set_that_does_not_fit_tle_columns_is_refused(tmp_path):
    # an OMM may carry a B* too small for the TLE's exponent column
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps([_omm(BSTAR="2e-163")]))
    s = read_element_sets(path).sets[0]
    with pytest.raises(sim.TLEError, match=r"tiny.json:1: this set cannot be written as a TLE"):
        s.to_tle()


VALID_TEXT = BUNDLED_TLE.read_text()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_corrupted_tle_is_rejected_or_valid_never_a_crash(tmp_path_factory, data):
    text = list(VALID_TEXT)
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        ch = data.draw(st.characters(codec="utf-8", exclude_categories=("Cs",)))
        if op == "replace":
            text[pos] = ch
        elif op == "delete":
            del text[pos]
        else:
            text.insert(pos, ch)
    path = tmp_path_factory.mktemp("c") / "c.tle"
    path.write_text("".join(text), encoding="utf-8")
    try:
        report = read_element_sets(path, strict=data.draw(st.booleans()))
    except sim.SimError:
        return
    for s in report.sets:
        assert 0 <= s.eccentricity < 1 and 0 <= s.inclination_deg <= 180
        assert s.mean_motion_rev_per_day > 0


SCENARIO = """
[mission]
name = "Random"
[object]
norad_id = 25544
[replay]
start = "{start}"
end = "{end}"
step_s = {step}
[element_sets]
files = ["{tle}"]
switch = "{rule}"
{stations}
[outputs]
maps = false
skyplots = false
"""


def _random_scenario(rnd, folder):
    start = 2460390.5 + rnd.uniform(0, 20)
    hours = rnd.uniform(0.5, 30)
    from sim.times import jd_to_iso

    stations = "".join(
        f'[[stations]]\nname = "S{i}"\nlat_deg = {rnd.uniform(-90, 90):.4f}\n'
        f"lon_deg = {rnd.uniform(-180, 180):.4f}\nmin_elevation_deg = {rnd.uniform(0, 40):.2f}\n"
        for i in range(rnd.randint(0, 4))
    )
    text = SCENARIO.format(
        start=jd_to_iso(int(start), start % 1, 0),
        end=jd_to_iso(int(start), start % 1 + hours / 24, 0),
        step=round(rnd.uniform(5, 600), 1),
        tle=BUNDLED_TLE.as_posix(),
        rule=rnd.choice(["epoch", "midpoint", "nearest"]),
        stations=stations,
    )
    path = folder / "s.toml"
    path.write_text(text)
    return path


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_valid_scenarios_run_to_the_end(tmp_path_factory, seed):
    folder = tmp_path_factory.mktemp("r")
    path = _random_scenario(random.Random(seed), folder)
    assert main(["run", str(path), "--quiet", "--out", str(folder / "out")]) == 0
    summary = json.loads((folder / "out" / "summary.json").read_text())
    assert summary["window"]["samples"] > 0


#: ways to break a scenario, by family; each must end with exit code 0 or 2, never 1
BREAKERS = {
    "typos and impossible values": [
        lambda t: t.replace("step_s", "stepp_s"),
        lambda t: t.replace("norad_id = 25544", "norad_id = 1"),
        lambda t: t.replace(BUNDLED_TLE.as_posix(), "missing.tle"),
        lambda t: t.replace("lat_deg = ", "lat_deg = 9", 1),
    ],
    "non-finite numbers": [
        lambda t: t.replace("step_s = ", "step_s = nan #", 1),
        lambda t: t.replace("step_s = ", "step_s = inf #", 1),
        lambda t: t.replace("lat_deg = ", "lat_deg = nan #", 1),
        lambda t: t.replace("lon_deg = ", "lon_deg = -inf #", 1),
        lambda t: t.replace("min_elevation_deg = ", "min_elevation_deg = nan #", 1),
        lambda t: t.replace("[element_sets]", "[element_sets]\nmax_age_days = inf", 1),
        lambda t: t.replace("[element_sets]", "[element_sets]\nmax_age_days = nan", 1),
        lambda t: t.replace("step_s = ", "step_s = 1e-300 #", 1),
    ],
    "far-away spans": [
        lambda t: t.replace('"2024-', '"1950-'),
        lambda t: t.replace('"2024-', '"2050-'),
        lambda t: t.replace('"2024-', '"2054-'),
        lambda t: t.replace('"2024-', '"1899-'),
        lambda t: t.replace('"2024-', '"0001-'),
        lambda t: t.replace('"2024-03-', '"2024-05-').replace('"2024-04-', '"2024-06-'),
        lambda t: t + '[[events]]\nname = "far"\nkind = "other"\ntime_utc = "0001-01-01T00:00Z"\n',
        lambda t: t + '[[events]]\nname = "far"\nkind = "other"\ntime_utc = "2050-01-01T00:00Z"\n',
    ],
}

#: the same families on the command line: track, passes and window with hostile numbers/spans
CLI_BREAKERS = {
    "non-finite numbers": [
        ["track", "--step", "nan"],
        ["track", "--step", "-inf"],
        ["track", "--max-extrapolation-days", "nan"],
        ["passes", "--min-elevation", "nan"],
        ["passes", "--min-elevation", "inf"],
        ["window", "--insertion-s", "nan"],
        ["window", "--downrange-deg", "inf"],
        ["window", "--insertion-s", "1e308"],
    ],
    "far-away spans": [
        ["track", "--start", "1950-01-01", "--end", "1950-01-02"],
        ["track", "--start", "2050-01-01", "--end", "2050-01-02"],
        ["passes", "--start", "2024-05-25", "--end", "2024-05-26"],
        ["passes", "--start", "0001-01-01", "--end", "0001-01-02"],
        ["window", "--start", "2054-01-01", "--end", "2054-01-03"],
        ["track", "--start", "2050-01-01", "--end", "2050-01-02"]
        + ["--max-extrapolation-days", "36000"],
        ["passes", "--start", "1950-01-01", "--end", "1950-01-02"]
        + ["--max-extrapolation-days", "36000"],
        ["track", "--start", "2024-04-20", "--end", "2024-04-21"],  # warned, not refused
    ],
}


def _cli_command(words, folder):
    command, *extra = words
    tle = ["--tle", str(BUNDLED_TLE)]
    span = [] if "--start" in extra else ["--start", "2024-03-28", "--end", "2024-03-29"]
    base = {
        "track": [*tle, "--step", "600", "--output", str(folder / "t.csv")],
        "passes": [*tle, "--station", "M=53.9,27.6"],
        "window": [*tle, "--site", "45.9,63.3"],
    }[command]
    return [command, *base, *span, *extra]


@pytest.mark.soak
def test_soak_200_random_scenarios(tmp_path, capsys):
    """200 random scenarios, some of them broken on purpose, and 60 hostile command lines:
    each ends with 0 or 2, never 1. The families: typos and impossible values, non-finite
    numbers, far-away spans (issue 11)."""
    rnd = random.Random(20240323)
    codes = {}
    for i in range(200):
        folder = tmp_path / f"s{i}"
        folder.mkdir()
        path = _random_scenario(rnd, folder)
        family = "valid"
        if rnd.random() < 0.4:  # break it
            family = rnd.choice(sorted(BREAKERS))
            path.write_text(rnd.choice(BREAKERS[family])(path.read_text()))
        code = main(["run", str(path), "--quiet", "--out", str(folder / "out")])
        codes.setdefault(family, []).append(code)
        capsys.readouterr()
    for i in range(60):
        family = rnd.choice(sorted(CLI_BREAKERS))
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        try:
            code = main(_cli_command(rnd.choice(CLI_BREAKERS[family]), folder))
        except SystemExit as stop:  # argparse refuses a value: exit 2 with one line
            code = stop.code
        codes.setdefault(f"command line: {family}", []).append(code)
        capsys.readouterr()
    counts = {f: {c: v.count(c) for c in sorted(set(v))} for f, v in sorted(codes.items())}
    with capsys.disabled():
        print(f"\nsoak exit codes by family: {counts}")
    every = [c for v in codes.values() for c in v]
    assert set(every) <= {0, 2}, counts
    assert codes["valid"].count(0) == len(codes["valid"]) > 100
    assert codes["far-away spans"].count(2) >= len(codes["far-away spans"]) - 3


HOSTILE_NAMES = [
    "$x^2$",
    r"$\notacommand{x}$",
    "$",
    "=HYPERLINK(1)",
    "+1",
    "-33.9",
    "@SUM(A1)",
    "../../escape",
    "Minsk/1",
    "Minsk?1",
    "CON",
    "..",
    "Минск",
    "שלום",
    "🚀 ISS",
    "a" * 300,
    "Min\u0000sk",
    "Min\u0007sk",
    "Min\nsk",
    "Min\u2028sk",
    " ",
]


def _special_output(kind, folder):
    """An --out place that is not sim's, made inside ``folder``; returns it and a check that
    it is unchanged."""
    import os
    import stat

    place = folder / "place"
    if kind == "fifo":
        os.mkfifo(place)
        return place, lambda: stat.S_ISFIFO(os.lstat(place).st_mode)
    if kind == "chardev":  # like /dev/null, inside the test's folder only
        os.mknod(place, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return place, lambda: stat.S_ISCHR(os.lstat(place).st_mode)
    if kind == "file":
        place.write_text("mine")
        return place, lambda: place.read_text() == "mine"
    if kind == "link-to-file":
        (folder / "mine.txt").write_text("mine")
        place.symlink_to(folder / "mine.txt")
        return place, lambda: place.is_symlink() and (folder / "mine.txt").read_text() == "mine"
    if kind == "dangling-link":
        place.symlink_to(folder / "nothing")
        return place, lambda: place.is_symlink() and not (folder / "nothing").exists()
    place.mkdir()
    if kind == "foreign-folder":
        (place / "thesis.txt").write_text("mine")
    else:  # a folder that only pretends to be sim's: the marker is not sim's JSON
        (place / ".sim-output.json").write_text("{not json")
        (place / "thesis.txt").write_text("mine")
    return place, lambda: (place / "thesis.txt").read_text() == "mine"


@pytest.mark.soak
def test_soak_special_files_and_hostile_names(tmp_path, capsys):
    """Random scenarios written onto places that are not sim's (refused: exit 2, the place as
    it was) or with hostile station names (exit 0 with every file inside the output folder,
    or exit 2 for control characters); never exit 1."""
    import os

    rnd = random.Random(20240325)
    kinds = ["fifo", "file", "link-to-file", "dangling-link", "foreign-folder", "fake-marker"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        kinds.append("chardev")
    codes = []
    for i in range(40):
        folder = tmp_path / f"h{i}"
        folder.mkdir()
        path = _random_scenario(rnd, folder)
        if i % 2 == 0:
            out, unchanged = _special_output(kinds[(i // 2) % len(kinds)], folder)
            code = main(["run", str(path), "--quiet", "--no-plots", "--out", str(out)])
            assert code == 2 and unchanged(), (i, code)
        else:
            names = rnd.sample(HOSTILE_NAMES, 2)
            text = path.read_text() + "".join(
                f"[[stations]]\nname = {json.dumps(n, ensure_ascii=False)}\n"
                "lat_deg = 53.9\nlon_deg = 27.57\n"
                for n in names
            )
            path.write_text(text.replace("skyplots = false", "skyplots = true"), encoding="utf-8")
            out = folder / "out"
            code = main(["run", str(path), "--quiet", "--dpi", "30", "--out", str(out)])
            bad = any(not n.strip() or not n.isprintable() or len(n) > 100 for n in names)
            assert code == (2 if bad else 0), (names, code)
            assert sorted(p.name for p in folder.iterdir()) == (
                ["out", "s.toml"] if code == 0 else ["s.toml"]
            )
        codes.append(code)
        capsys.readouterr()
    with capsys.disabled():
        print(
            f"\nspecial files and hostile names: {len(codes)} inputs, exit 0: {codes.count(0)}, "
            f"exit 2: {codes.count(2)}, exit 1: {codes.count(1)}"
        )
    assert set(codes) <= {0, 2}


def test_output_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from sim.export.atomic import atomic_writer

    old = os.umask(0o022)
    try:
        with atomic_writer(tmp_path / "x.txt") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.txt").stat().st_mode) == 0o644
