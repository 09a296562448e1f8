"""Scenario loading and validation, and 'sim run' end to end on the default scenario."""

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

import sim
from sim.cli import main
from sim.output import write_results
from sim.replay import run_scenario
from sim.scenario import load_scenario

DEFAULT = ROOT / "scenarios" / "soyuz-ms25.toml"


@pytest.fixture(scope="module")
def results(replay):
    """The session's default replay (conftest ``replay``: computed once per worker), read only."""
    return replay


def test_default_scenario_uses_the_mission_facts():
    sc = load_scenario(DEFAULT)
    events = {e.name: e for e in sc.events}
    assert events["launch"].time_utc.isoformat() == "2024-03-23T12:36:10.573000+00:00"
    assert sc.launch["site"] == "Baikonur Site 31/6"
    assert sc.start == events["docking"].time_utc and sc.end == events["undocking-ms24"].time_utc
    assert [s.name for s in sc.stations][0] == "Minsk"
    assert sc.element_files[0].name == "iss-2024-03-27_2024-04-10.tle"


def _write(tmp_path, text, name="bad.toml"):
    tle_dir = tmp_path / "tle"
    tle_dir.mkdir(exist_ok=True)
    (tle_dir / "iss.tle").write_text((ROOT / "tle" / "iss-2024-03-27_2024-04-10.tle").read_text())
    path = tmp_path / "scen" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


BASE = """
[mission]
name = "Test"
[object]
norad_id = 25544
[[events]]
name = "docking"
time_utc = "2024-03-28T00:00:00Z"
[replay]
start = "docking"
end = "2024-03-28T06:00:00Z"
step_s = 60.0
[element_sets]
files = ["../tle/iss.tle"]
[[stations]]
name = "Minsk"
lat_deg = 53.9
lon_deg = 27.57
"""

BAD_CASES = {
    "unknown key": (
        ('[mission]\nname = "Test"', '[mission]\nname = "Test"\nnmae = "x"'),
        r"mission\.nmae: unknown key",
    ),
    "wrong type": (
        ("step_s = 60.0", 'step_s = "sixty"'),
        r"replay\.step_s: expected a number, found 'sixty'",
    ),
    "latitude 95": (
        ("lat_deg = 53.9", "lat_deg = 95.0"),
        r"stations\[0\]\.lat_deg: = 95\.0 is outside -90\.\.90",
    ),
    "end before start": (
        ('end = "2024-03-28T06:00:00Z"', 'end = "2024-03-27T06:00:00Z"'),
        r"replay\.end: 2024-03-27T06:00:00\+00:00 is not after replay\.start",
    ),
    "step zero": (("step_s = 60.0", "step_s = 0"), r"replay\.step_s: = 0 must be greater than 0"),
    "step negative": (
        ("step_s = 60.0", "step_s = -5.0"),
        r"replay\.step_s: = -5\.0 must be greater than 0",
    ),
    "unknown event": (
        ('start = "docking"', 'start = "dokcing"'),
        r"replay\.start: 'dokcing' is neither an event name \(\['docking'\]\)",
    ),
    "too many samples": (
        ("step_s = 60.0", "step_s = 60.0\nmax_samples = 100"),
        r"replay\.step_s: 60 s over 0\.25 days gives 361 samples, more than "
        r"replay\.max_samples = 100",
    ),
    "missing file": (
        ("../tle/iss.tle", "../tle/nothere.tle"),
        r"element_sets\.files\[0\]: '\.\./tle/nothere\.tle' does not exist",
    ),
    "escaping output": (
        ("[[stations]]", '[outputs]\nname = "../../etc"\n[[stations]]'),
        r"outputs\.name: '\.\./\.\./etc' must be a plain folder name",
    ),
    "bad switch rule": (
        ('files = ["../tle/iss.tle"]', 'files = ["../tle/iss.tle"]\nswitch = "latest"'),
        r"element_sets\.switch: 'latest' is not one of",
    ),
    "missing table": (("[object]\nnorad_id = 25544\n", ""), r"object: missing table"),
    "bad toml": (("[mission]", "[mission"), r"not valid TOML"),
}


def test_good_minimal_scenario_runs(tmp_path):
    path = _write(tmp_path, BASE, "good.toml")
    res = run_scenario(load_scenario(path))
    assert len(res.ephemeris) == 361
    assert res.summary()["passes_per_station"]["Minsk"]["passes"] == len(res.passes)


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_scenarios_name_the_key(tmp_path, case, capsys):
    (old, new), pattern = BAD_CASES[case]
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(sim.ScenarioError, match=pattern) as info:
        load_scenario(path)
    assert str(info.value).startswith(str(path))
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_missing_scenario_file(capsys):
    assert main(["run", "no/such.toml", "--quiet"]) == 2
    assert "no/such.toml: no such scenario file" in capsys.readouterr().err


def test_sim_run_default_end_to_end(tmp_path, no_network, results, capsys):
    out = tmp_path / "out" / "soyuz-ms25"
    code = main(["run", "--out", str(out)])
    assert code == 0
    for name in (
        "summary.json",
        "track.csv",
        "groundtrack.geojson",
        "passes.csv",
        "passes.json",
        "events.csv",
        "timeline.png",
        "altitude.png",
    ):
        assert (out / name).is_file(), name
    maps = sorted(p.name for p in (out / "maps").iterdir())
    summary = json.loads((out / "summary.json").read_text())
    passes = json.loads((out / "passes.json").read_text())
    daily = [m for m in maps if m[:4] == "2024"]
    per_pass = [m for m in maps if m.startswith("pass-")]
    assert "overview.png" in maps and "2024-03-26.png" in maps and len(daily) == 13
    assert len(per_pass) == sum(p["visible"] for p in passes)  # one regional map a visible pass
    soyuz = [m for m in maps if m.startswith("soyuz-")]
    assert soyuz == ["soyuz-chase.png", "soyuz-return.png"]  # the modelled legs
    assert len(maps) == 1 + len(daily) + len(per_pass) + len(soyuz)
    with open(out / "passes.csv") as f:
        assert len(list(csv.DictReader(f))) == len(passes)
    # the CLI and the API give the same passes
    api = [p.to_dict() for p in results.passes]
    assert passes == api
    counts = {s: sum(p["station"] == s for p in passes) for s in summary["passes_per_station"]}
    assert counts == {s: c["passes"] for s, c in summary["passes_per_station"].items()}
    skyplots = list((out / "skyplots").iterdir())
    assert len(skyplots) == sum(p["visible"] for p in passes) > 0
    assert 51.7 <= summary["max_abs_latitude_deg"] <= 51.9
    assert re.search(r"Minsk\s+\d+ passes", capsys.readouterr().out)
    with open(out / "track.csv") as f:
        first = next(csv.DictReader(f))
    # mission elapsed time of the first sample (the docking) from the launch facts
    assert float(first["met_s"]) == pytest.approx(
        (2 * 86400 + 2 * 3600 + 26 * 60 + 40.427), abs=1e-3
    )
    gj = json.loads((out / "groundtrack.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) > 100


def test_rerun_replaces_atomically_and_data_is_byte_identical(tmp_path, results, monkeypatch):
    # the OEM's CREATION_DATE is the time written unless SOURCE_DATE_EPOCH fixes it
    # (the reproducible-builds convention)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1711378971")
    out = tmp_path / "o"
    write_results(results, out, plots=False)

    def data():  # the data files; the ownership marker holds the time it was written
        return {p.name: p.read_bytes() for p in out.iterdir() if p.name != ".sim-output.json"}

    first = data()
    write_results(run_scenario(load_scenario(DEFAULT)), out, plots=False)
    second = data()
    assert first == second and (out / ".sim-output.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["o"]  # no partial folders left


def test_interrupted_write_keeps_previous_results(tmp_path, results, monkeypatch):
    out = tmp_path / "o"
    write_results(results, out, plots=False)
    before = (out / "summary.json").read_bytes()
    import sim.export.results as er

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(er, "write_events_csv", boom)
    with pytest.raises(KeyboardInterrupt):
        write_results(results, out, plots=False)
    assert (out / "summary.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_unwritable_output_is_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["run", "--out", str(blocker / "sub"), "--quiet", "--no-plots"])
    assert code == 2
    assert "cannot create the output folder" in capsys.readouterr().err


def test_daily_map_draws_what_a_person_expects(results):
    from matplotlib.collections import LineCollection

    from sim.plots.maps import track_map

    day = next(i for i, d in enumerate(results.days) if d["date"] == "2024-03-26")
    fig = track_map(results, day_index=day)
    ax = fig.axes[0]
    tracks = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection) and sum(len(s) for s in c.get_segments()) > 1000
    ]
    assert tracks, "no ground track drawn"
    for line in tracks[0].get_segments():  # polylines: nothing across the map
        assert np.all(np.abs(np.diff(line[:, 0])) < 180)
    colours = {tuple(np.round(c, 3)) for c in tracks[0].get_colors()}
    assert len(colours) == 2  # sunlit and eclipse
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("Minsk") for label in labels)
    assert any("launch pad" in label for label in labels)
    assert "2024-03-26" in ax.get_title()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```\n(python3 -m venv[^\n]+)\n```", readme)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
    assert commands[0].endswith("sim run")


def test_readme_python_examples_run():
    """Every ```python block of the README, in order (the API tour, then the notebook one)."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
        if "visible" in namespace:
            assert namespace["visible"]
        if "table" in namespace:  # the notebook example: DataFrames of the track and passes
            assert len(namespace["track"]) == 1441 and str(namespace["track"].index.tz) == "UTC"
            assert namespace["table"]["visible"].any()
            assert len(namespace["table"]) == len(namespace["passes"])


def test_package_finds_bundled_data_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sim.default_scenario().is_file() and sim.default_tle().is_file()
    assert Path(sim.default_scenario()).parent.name == "scenarios"


def test_first_attempt_what_if_scenario():
    res = run_scenario(load_scenario(ROOT / "scenarios" / "soyuz-ms25-first-attempt.toml"))
    events = {e["name"]: e for e in res.events}
    assert events["launch"]["utc"] == "2024-03-21T13:21:19.000Z"
    # docking 3 h 18 min after lift-off on the fast profile
    assert events["docking"]["met_s"] == pytest.approx(3 * 3600 + 18 * 60 + 23, abs=1)
    (launch,) = res.launch_window.assessments
    assert 0 < launch.lead_s < 300 and abs(launch.plane_offset_deg) < 0.5
    assert launch.phase_deg < 45  # the station just ahead: a same-day rendezvous
    assert any("propagated backwards" in w for w in res.warnings)


def test_default_run_assesses_both_attempts(results):
    by_name = {a.name: a for a in results.launch_window.assessments}
    assert set(by_name) == {"launch", "scrub"}
    assert by_name["scrub"].phase_deg < 45 < by_name["launch"].phase_deg
    assert len(results.launch_window.opportunities) >= 5
