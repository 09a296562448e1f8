"""The README runs (issue 18): every shell command in README.md is executed from a temporary
folder outside the checkout, and the Minsk pass table and the launch-window table are compared
with fresh output.

Commands are found in the README's code blocks and inline code. Each must appear in
``COMMANDS`` below with the argument list it is run with (templates such as ``FILE`` or ``ISO``
get concrete values, long spans are shortened with the command's own options), or in
``NOT_RUN`` with the reason. A command added to the README without either fails the test.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import ROOT

from sim.cli import main

README = ROOT / "README.md"
TLE = "tle/iss-2024-03-27_2024-04-10.tle"
SCENARIO = "scenarios/soyuz-ms25.toml"
SHORT = "scenarios/short.toml"

#: README command (whitespace collapsed) -> the argument lists it runs as, in a temporary folder
#: holding copies of tle/ and scenarios/ (the README's relative paths then work as written).
COMMANDS = {
    # the set-up line's last part (the venv and pip parts are excepted, see NOT_RUN). The full
    # default run draws 14 maps (13 s on an idle 2-core machine): run here without the plots;
    # tests/test_scenario.py::test_sim_run_default_end_to_end runs it with them.
    "sim run": [["run", "--no-plots"]],
    # SHORT: the default scenario cut to its first six hours, plots drawn (workdir fixture)
    "sim run SCENARIO --out DIR --format png|svg|pdf --dpi N --quiet --no-plots": [
        [
            "run",
            SHORT,
            "--out",
            "elsewhere",
            "--format",
            "svg",
            "--dpi",
            "40",
            "--quiet",
        ],
    ],
    "sim tle check FILE...": [["tle", "check", TLE, TLE]],
    "sim tle info FILE": [["tle", "info", TLE]],
    "sim track [--tle FILE] --start ISO --end ISO --step S [--switch epoch|midpoint|nearest] "
    "--output F.csv|.json|.geojson": [
        # without --tle: the bundled ISS sets
        [
            "track",
            "--start",
            "2024-03-28T00:00Z",
            "--end",
            "2024-03-28T00:30Z",
            "--step",
            "60",
            "--output",
            "t0.csv",
        ],
        [
            "track",
            "--tle",
            TLE,
            "--start",
            "2024-03-28T00:00Z",
            "--end",
            "2024-03-28T02:00Z",
            "--step",
            "60",
            "--switch",
            "midpoint",
            "--output",
            "t.geojson",
        ],
    ],
    "sim window [--tle FILE] --site LAT,LON --start DATE --end DATE [--launch NAME=ISO ...] "
    "[--insertion-s S] [--downrange-deg D] [--json] [--plot FILE]": [
        [
            "window",
            "--tle",
            TLE,
            "--site",
            "45.9961,63.5639",
            "--start",
            "2024-03-22",
            "--end",
            "2024-03-24",
            "--launch",
            "launch=2024-03-23T12:36:10.573Z",
            "--insertion-s",
            "529",
            "--downrange-deg",
            "14",
            "--json",
            "--plot",
            "w.svg",
        ],
    ],
    "sim export czml|kml|oem|geojson|csv|json|html [SCENARIO] --output FILE "
    "[--frame EME2000|ITRF] [--start ISO --end ISO]": [
        ["export", "html", SCENARIO, "--output", "r.html"],
        [
            "export",
            "czml",
            SCENARIO,
            "--output",
            "r.czml",
            "--start",
            "2024-03-26T00:00Z",
            "--end",
            "2024-03-26T01:00Z",
        ],
        ["export", "oem", "--output", "r.oem", "--frame", "ITRF"],
    ],
    "sim animate [SCENARIO] --output replay.gif|replay.mp4 [--speed S] [--start ISO] [--end ISO]": [
        [
            "animate",
            SCENARIO,
            "--output",
            "replay.gif",
            "--speed",
            "600",
            "--start",
            "2024-03-26T00:00Z",
            "--end",
            "2024-03-26T00:30Z",
        ],
    ],
    "sim passes [--tle FILE] --station NAME=LAT,LON[,ALT_M] ... --start ISO --end ISO "
    "[--tz ZONE] [--min-elevation DEG] [--preset naked-eye|nasa|spot-the-station] "
    "[--visible-only] [--json] [--ics FILE] [--skyplots DIR [--all-passes]]": [
        [
            "passes",
            "--station",
            "Minsk=53.90,27.57,220",
            "--start",
            "2024-03-26T00:00Z",
            "--end",
            "2024-03-27T00:00Z",
            "--tz",
            "UTC",
            "--visible-only",
            "--ics",
            "m.ics",
            "--skyplots",
            "sky",
            "--all-passes",
        ],
        [
            "passes",
            "--tle",
            TLE,
            "--station",
            "Minsk=53.90,27.57,220",
            "--station",
            "Ushuaia=-54.8,-68.3",
            "--start",
            "2024-03-26T00:00Z",
            "--end",
            "2024-03-27T00:00Z",
            "--min-elevation",
            "15",
            "--preset",
            "nasa",
            "--json",
            "--skyplots",
            "sky",
        ],
    ],
    # the two concrete commands behind the tables: run as written, compared in the tests below
    "sim passes --station Minsk=53.90,27.57,220 "
    "--start 2024-03-25T15:02:51Z --end 2024-04-06T03:54:58Z --visible-only": [],
    "sim window --site 45.9961,63.5639 --start "
    "2024-03-19 --end 2024-03-26 --launch scrub=2024-03-21T13:21:19Z --launch "
    "launch=2024-03-23T12:36:10.573Z --plot window.png": [],
    "sim tle path": [["tle", "path"]],
    "sim scenario check SCENARIO": [["scenario", "check", SCENARIO]],
    "sim scenario schema": [["scenario", "schema"]],
    "sim export FORMAT --output -": [["export", "geojson", SCENARIO, "--output", "-"]],
}

#: README commands that the tests do not run, and why.
NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/pip install .": "set-up: creates a virtual environment "
    "and installs from the network index; the suite already runs inside one",
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m "
    "pytest -q -n auto": "set-up and the test run itself (tests/test_scenario.py checks it is "
    ".ci/run's)",
    "python3 -m http.server": "starts a web server that runs until stopped (serving "
    "docs/cesium.html)",
    'pytest -m "not soak"': "the test run itself, with the soak test left out",
    "sim --version": "argparse prints the version and exits; tests/test_observers.py runs it",
}


def readme_commands() -> set[str]:
    """Shell commands in README.md: fenced blocks without a language and inline code that
    starts like a command; '&&' chains are split at the last 'sim' part."""
    text = README.read_text()
    found = set()
    for block in re.findall(r"```\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.startswith(("python3 ", "sim ", ".venv/")):
                found.add(line.strip())
    for span in re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
        span = " ".join(span.split())
        if span.startswith(("sim ", "python3 -m http", "pytest ")):
            found.add(span)
    out = set()
    for cmd in found:
        if " && .venv/bin/sim " in cmd:
            setup, _, rest = cmd.partition(" && .venv/bin/sim ")
            out.update({setup, "sim " + rest})
        else:
            out.add(cmd)
    return out


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder outside the checkout holding copies of tle/ and scenarios/ (the element-set
    paths of the scenarios are relative to them)."""
    shutil.copytree(ROOT / "tle", tmp_path / "tle")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    text = (tmp_path / SCENARIO).read_text()
    (tmp_path / SHORT).write_text(
        text.replace('end = "undocking-ms24"', 'end = "2024-03-25T21:00:00Z"')
        .replace("daily_maps = true", "daily_maps = false")
        .replace("czml = true", "czml = false")
        .replace("kml = true", "kml = false")
        .replace("oem = true", "oem = false")
    )
    monkeypatch.chdir(tmp_path)
    assert ROOT not in tmp_path.parents
    return tmp_path


def test_every_readme_command_is_run_or_excepted_with_a_reason():
    commands = readme_commands()
    assert commands == set(COMMANDS) | set(NOT_RUN)
    assert all(reason for reason in NOT_RUN.values())


@pytest.mark.parametrize(
    "argv",
    [argv for runs in COMMANDS.values() for argv in runs],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_readme_command_runs(argv, workdir, capsys):
    assert main(list(argv)) == 0, capsys.readouterr().err
    out = argv[argv.index("--output") + 1] if "--output" in argv else None
    produced = {
        "run": "elsewhere/timeline.svg" if SHORT in argv else "out/soyuz-ms25/summary.json",
        "track": out,
        "window": "w.svg",
        "export": None if out == "-" else out,
        "animate": "replay.gif",
        "passes": "sky",
    }.get(argv[0])
    if produced:
        assert (workdir / produced).exists(), produced


def test_minsk_table_is_fresh_output(workdir, capsys):
    cmd = next(c for c in COMMANDS if c.startswith("sim passes --station Minsk"))
    assert main(cmd.split()[1:]) == 0
    fresh = capsys.readouterr().out
    text = README.read_text()
    start = text.index("## When could Minsk see the station?")
    table = re.search(r"```\n( +start .*?)```", text[start:], re.S).group(1)

    def lines(s):
        return [ln.rstrip() for ln in s.strip("\n").splitlines() if ln.strip()]

    assert lines(fresh) == lines(table)


def test_launch_window_table_is_fresh_output(workdir, capsys):
    cmd = next(c for c in COMMANDS if c.startswith("sim window --site"))
    argv = cmd.split()[1:]
    assert main(argv) == 0
    assert (workdir / "window.png").is_file()
    capsys.readouterr()
    assert main([a for a in argv if a not in ("--plot", "window.png")] + ["--json"]) == 0
    fresh = {a["name"]: a for a in json.loads(capsys.readouterr().out)["launches"]}
    text = README.read_text()
    rows = re.findall(r"^\| (first attempt[^|]*|launch) \|(.*)\|$", text, re.M)
    assert len(rows) == 2
    for (_label, rest), name in zip(rows, ("scrub", "launch"), strict=True):
        lift, in_plane, after, offset, phase = (c.strip() for c in rest.split("|"))
        a = fresh[name]
        assert lift == a["launch_utc"].replace("T", " ").rstrip("Z").removesuffix(".000")
        date, _, clock = a["in_plane_utc"].rstrip("Z").partition("T")
        h, m, sec = clock.split(":")
        assert in_plane == f"{date} {h}:{m}:{float(sec):04.1f}"
        assert after == f"{a['lead_s']:.0f} s"
        assert offset == f"{a['plane_offset_deg']:.3f}°"
        assert phase == f"{a['phase_at_insertion_deg']:.0f}°"
