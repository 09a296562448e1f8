"""Issue 11, the output side: sim never destroys what it did not write.

Output folders are replaced only when they carry sim's marker; single files only when they are
regular files; SIGTERM behaves like Ctrl-C; parallel runs into one folder are serialised;
leftovers of killed runs are rolled back; names that become file names go through one slug,
never reach mathtext, and CSV cells never start a formula. Special files are made only inside
tmp_path.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUNDLED_TLE, ROOT

from sim.cli import main

SIM = [sys.executable, "-m", "sim"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

SHORT = """
[mission]
name = "Short replay"
slug = "short"
[object]
norad_id = 25544
[launch]
time_utc = "2024-03-27T10:00:00Z"
site = "Baikonur"
lat_deg = 45.9961
lon_deg = 63.5639
[[events]]
name = "{event}"
kind = "other"
time_utc = "2024-03-27T13:00:00Z"
source = "{source}"
[replay]
start = "2024-03-27T12:00:00Z"
end = "{end}"
step_s = {step_s}
[element_sets]
files = ["{tle}"]
[[stations]]
name = "{station}"
lat_deg = 53.90
lon_deg = 27.57
[outputs]
maps = false
skyplots = {skyplots}
timeline = {plots}
altitude = false
launch_window = false
czml = {exports}
kml = {exports}
oem = {exports}
"""


def short_scenario(
    folder: Path,
    *,
    station="Minsk",
    event="check",
    source="test",
    end="2024-03-27T18:00:00Z",
    skyplots=False,
    plots=False,
    step_s=30.0,
    exports=False,
) -> Path:
    """A 6-hour replay (or up to ``end``) with one station and no pictures unless asked."""
    text = SHORT.format(
        station=station,
        event=event,
        source=source,
        end=end,
        tle=BUNDLED_TLE.as_posix(),
        skyplots=str(skyplots).lower(),
        plots=str(plots).lower(),
        step_s=step_s,
        exports=str(exports).lower(),
    )
    path = folder / "short.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_short(tmp_path, out, *more) -> int:
    return main(["run", str(short_scenario(tmp_path)), "--quiet", "--out", str(out), *more])


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name)


def dead_pid() -> int:
    """The PID of a process that has ended (what a killed run leaves in its folder names)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("sim: error: "), err
    return err


# ---- output folders: ownership -------------------------------------------------------------


def test_run_refuses_a_folder_holding_a_file_of_the_users(tmp_path, capsys):
    docs = tmp_path / "Documents"
    docs.mkdir()
    (docs / "thesis.txt").write_text("four years of work")
    assert run_short(tmp_path, docs) == 2
    err = one_error_line(capsys.readouterr().err)
    assert str(docs) in err and "did not write" in err
    assert (docs / "thesis.txt").read_text() == "four years of work"
    assert sorted(p.name for p in docs.iterdir()) == ["thesis.txt"]
    assert leftovers(tmp_path) == []


def test_run_refuses_a_file_as_the_output_folder(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    assert run_short(tmp_path, notes) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "notes.txt is a regular file, not a folder" in err
    assert notes.is_file() and notes.read_text() == "my notes"


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    else:  # a char device like /dev/null (1, 3), made inside tmp_path only
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


def _is_kind(path: Path, kind: str) -> bool:
    mode = os.lstat(path).st_mode
    return stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISCHR(mode)


@pytest.mark.parametrize(
    "kind",
    [
        "fifo",
        pytest.param(
            "chardev",
            marks=pytest.mark.skipif(not IS_ROOT, reason="mknod of a device needs root"),
        ),
    ],
)
def test_run_refuses_a_device_or_fifo_and_leaves_it_as_it_was(tmp_path, capsys, kind):
    special = _special(tmp_path, kind)
    assert run_short(tmp_path, special) == 2
    err = one_error_line(capsys.readouterr().err)
    assert str(special) in err and "not a folder" in err
    assert _is_kind(special, kind)
    assert leftovers(tmp_path) == []


def test_a_symlink_to_a_sim_output_folder_is_followed(tmp_path, capsys):
    real = tmp_path / "real"
    assert run_short(tmp_path, real) == 0
    marker = json.loads((real / ".sim-output.json").read_text())
    assert marker["written_by"] == "sim" and marker["scenario"].endswith("short.toml")
    link = tmp_path / "link"
    link.symlink_to(real)
    (real / "summary.json").write_text("stale")  # the rerun must replace it
    assert run_short(tmp_path, link) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads((real / "summary.json").read_text())["mission"] == "Short replay"
    assert leftovers(tmp_path) == []


def test_a_symlink_to_a_file_is_refused_as_the_output_folder(tmp_path, capsys):
    target = tmp_path / "keep.txt"
    target.write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert run_short(tmp_path, link) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "symbolic link to a regular file, not a folder" in err
    assert link.is_symlink() and target.read_text() == "keep"


def test_rerun_into_own_output_replaces_it_with_identical_data_files(tmp_path):
    out = tmp_path / "o"
    assert run_short(tmp_path, out) == 0
    first = snapshot(out)
    assert run_short(tmp_path, out) == 0
    second = snapshot(out)
    assert first.keys() == second.keys() and ".sim-output.json" in first
    assert {k: v for k, v in first.items() if k != ".sim-output.json"} == {
        k: v for k, v in second.items() if k != ".sim-output.json"
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "short.toml"]


# ---- single-file outputs ----------------------------------------------------------------------


@pytest.mark.skipif(not IS_ROOT, reason="mknod of a device needs root")
def test_export_refuses_a_char_device(tmp_path, capsys):
    device = _special(tmp_path, "chardev")
    code = main(["export", "kml", str(short_scenario(tmp_path)), "--output", str(device)])
    err = one_error_line(capsys.readouterr().err)
    assert code == 2 and "is a character device, not a regular file" in err
    assert _is_kind(device, "chardev")


def test_export_writes_through_a_symlink_to_a_regular_file(tmp_path, capsys):
    real = tmp_path / "real.kml"
    real.write_text("old")
    link = tmp_path / "link.kml"
    link.symlink_to(real)
    assert main(["export", "kml", str(short_scenario(tmp_path)), "--output", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().startswith(b"<?xml") and b"<kml" in real.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.kml", "real.kml", "short.toml"]


def test_export_refuses_a_folder(tmp_path, capsys):
    folder = tmp_path / "x.kml"
    folder.mkdir()
    (folder / "mine").write_text("mine")
    code = main(["export", "kml", str(short_scenario(tmp_path)), "--output", str(folder)])
    assert code == 2 and "is a folder, not a regular file" in capsys.readouterr().err
    assert (folder / "mine").read_text() == "mine"


def test_export_to_standard_output(tmp_path, capsys):
    code = main(["export", "geojson", str(short_scenario(tmp_path)), "--output", "-"])
    captured = capsys.readouterr()
    assert code == 0
    doc = json.loads(captured.out)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) > 2
    assert not (Path.cwd() / "-").exists() and "wrote" in captured.err


WINDOW = [
    "window",
    "--tle",
    str(BUNDLED_TLE),
    "--site",
    "45.9961,63.5639",
    "--start",
    "2024-03-27",
    "--end",
    "2024-03-28",
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing/w.png", "the folder"),
        ("w.xyz", "unknown picture format '.xyz'"),
    ],
)
def test_window_plot_bad_places_are_one_line_exit_2(tmp_path, capsys, name, expected):
    code = main([*WINDOW, "--plot", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert code == 2 and expected in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_full_disk_keeps_the_old_picture(tmp_path, monkeypatch, capsys):
    from matplotlib.figure import Figure

    picture = tmp_path / "w.png"
    assert main([*WINDOW, "--plot", str(picture)]) == 0
    before = picture.read_bytes()
    assert before.startswith(b"\x89PNG")
    capsys.readouterr()
    real_savefig = Figure.savefig

    def full_disk(self, fname, *args, **kwargs):
        real_savefig(self, fname, *args, **kwargs)
        with open(fname, "r+b") as f:  # what a full disk leaves: a truncated file
            f.truncate(100)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)
    code = main([*WINDOW, "--plot", str(picture)])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in one_error_line(err)
    assert picture.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.png"]


def test_skyplots_onto_a_file_is_one_line_exit_2(tmp_path, capsys):
    target = tmp_path / "plots"
    target.write_text("not a folder")
    code = main(
        [
            "passes",
            "--tle",
            str(BUNDLED_TLE),
            "--station",
            "Minsk=53.9,27.57",
            "--start",
            "2024-03-27T12:00Z",
            "--end",
            "2024-03-28T00:00Z",
            "--skyplots",
            str(target),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "is a regular file, not a folder" in one_error_line(err)
    assert target.read_text() == "not a folder"


# ---- interruption and concurrency -------------------------------------------------------------


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    return env


def test_sigterm_mid_write_keeps_previous_results_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [*SIM, "run", str(short_scenario(tmp_path)), "--quiet", "--out", str(out)],
        env=_env(),
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    before = snapshot(out)
    started = time.monotonic()
    proc = subprocess.Popen(
        [*SIM, "run", "--quiet", "--out", str(out)],  # the default scenario, with pictures
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    partial = tmp_path / f".out.partial-{proc.pid}"
    try:  # at least 6 s in, and only once writing has begun (the partial folder exists)
        while not partial.exists() or time.monotonic() - started < 6.0:
            assert proc.poll() is None, "the run ended before the signal was sent"
            assert time.monotonic() - started < 240, "writing never began"
            time.sleep(0.05)
        assert proc.poll() is None
        status = Path(f"/proc/{proc.pid}/status")
        masks = (
            [x for x in status.read_text().splitlines() if x.startswith("Sig")]
            if status.exists()
            else []
        )
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, (err, masks, partial.exists(), time.monotonic() - started)
    assert b"interrupted (SIGTERM)" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.toml"]


HANGUP_DURING_WRITE = """
import os, signal, sys
import sim.export.results as data_files
from sim.cli import main

real = data_files.write_passes

def hang_up_then_go_on(*args):  # a closed terminal while the data files are being written
    os.kill(os.getpid(), signal.SIGHUP)
    return real(*args)

data_files.write_passes = hang_up_then_go_on
sys.exit(main(sys.argv[1:]))
"""


def test_sighup_mid_write_is_like_ctrl_c(tmp_path):
    scenario = short_scenario(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0
    assert_hangup_keeps_the_earlier_run(HANGUP_DURING_WRITE, scenario, out, snapshot(out))


def assert_hangup_keeps_the_earlier_run(script: str, scenario: Path, out: Path, before) -> None:
    """Run ``sim run scenario --out out`` through ``script`` (which hangs the run up part way):
    exit 129 with the one interruption line, ``out`` exactly ``before``, nothing else left
    beside the scenario."""
    done = subprocess.run(
        [sys.executable, "-c", script, "run", str(scenario), "--quiet", "--out", str(out)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 129, done.stderr
    assert done.stderr == "sim: interrupted (SIGHUP); no partial output was kept\n"
    assert snapshot(out) == before
    assert sorted(p.name for p in scenario.parent.iterdir()) == ["out", "short.toml"]


def test_a_swallowed_interruption_still_stops_the_swap(tmp_path, monkeypatch, capsys):
    """Python can lose the handler's exception inside a callback whose caller clears errors
    (seen under load: SIGTERM caught, exit 0). The signal is remembered, and the writers stop
    at their next checkpoint."""
    import sim.export.results as data_files

    out = tmp_path / "out"
    assert run_short(tmp_path, out) == 0
    before = snapshot(out)
    real = data_files.write_passes

    def signal_swallowed(*args):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs between two of these bytecodes
                pass
        except KeyboardInterrupt:  # what a careless callback does
            pass
        return real(*args)

    monkeypatch.setattr(data_files, "write_passes", signal_swallowed)
    assert run_short(tmp_path, out) == 143
    assert "interrupted (SIGTERM)" in capsys.readouterr().err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.toml"]


def test_sixteen_parallel_runs_into_one_folder(tmp_path):
    scenario = short_scenario(tmp_path)  # 6 hours at 30 s, no pictures: seconds per run
    reference = tmp_path / "reference"
    assert main(["run", str(scenario), "--quiet", "--out", str(reference)]) == 0
    out = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            [*SIM, "run", str(scenario), "--quiet", "--out", str(out)],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(16)
    ]
    results = [(p.wait(timeout=600), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    for code, err in results:
        assert code == 0, err
        for line in err.splitlines():  # only true notes: waiting for the lock
            assert line.startswith("sim: note: waiting for another sim run"), line
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reference", "shared", "short.toml"]
    final, ref = snapshot(out), snapshot(reference)
    assert final.keys() == ref.keys()
    assert {k: v for k, v in final.items() if k != ".sim-output.json"} == {
        k: v for k, v in ref.items() if k != ".sim-output.json"
    }


def test_a_second_run_arriving_in_the_middle_of_the_swap(tmp_path, monkeypatch, capsys):
    """Run A is held right after moving the old folder aside (the worst instant); run B, a
    separate process, writes into the same folder meanwhile. Neither may lose or leave
    anything, and neither may print a false "previous results were left as they were"."""
    import threading

    scenario = short_scenario(tmp_path)
    out = tmp_path / "o"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0
    real_replace = os.replace
    second = {}

    def replace(src, dst):
        if Path(src) == out and "proc" not in second:  # A's first rename of the swap
            real_replace(src, dst)
            proc = subprocess.Popen(
                [*SIM, "run", str(scenario), "--quiet", "--out", str(out)],
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            second["proc"] = proc
            lines = []
            reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
            reader.start()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # until B waits for A, or B is done
                if proc.poll() is not None or any("waiting" in line for line in lines):
                    break
                time.sleep(0.05)
            second["lines"], second["reader"] = lines, reader
            return None
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code_a = main(["run", str(scenario), "--quiet", "--out", str(out)])
    monkeypatch.setattr(os, "replace", real_replace)
    err_a = capsys.readouterr().err
    proc = second["proc"]
    code_b = proc.wait(timeout=300)
    second["reader"].join(timeout=10)
    proc.stderr.close()
    assert (code_a, code_b) == (0, 0), (err_a, second["lines"])
    assert any("waiting for another sim run" in line for line in second["lines"])  # B met A
    assert "previous results were left" not in err_a + "".join(second["lines"])
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "short.toml"]
    assert json.loads((out / "summary.json").read_text())["mission"] == "Short replay"
    assert (out / ".sim-output.json").is_file() and (out / "track.csv").is_file()


def test_leftovers_of_a_killed_run_are_removed_and_reported(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_short(tmp_path, out) == 0
    pid = dead_pid()
    (tmp_path / f".o.partial-{pid}").mkdir()
    (tmp_path / f".o.partial-{pid}" / "track.csv").write_text("half")
    (tmp_path / f".o.old-{pid}").mkdir()
    capsys.readouterr()
    assert run_short(tmp_path, out) == 0
    err = capsys.readouterr().err
    assert f"removed .o.partial-{pid}" in err and f"removed .o.old-{pid}" in err
    assert leftovers(tmp_path) == []


def test_killed_between_the_two_renames_the_old_folder_is_restored(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_short(tmp_path, out) == 0
    pid = dead_pid()
    os.replace(out, tmp_path / f".o.old-{pid}")  # the state right after the first rename
    (tmp_path / f".o.partial-{pid}").mkdir()
    from sim.output import recover

    notes = []
    recover(out, str(out), notes.append)
    assert out.is_dir() and (out / ".sim-output.json").is_file()
    assert any(f"restored {out} from .o.old-{pid}" in n for n in notes), notes
    assert leftovers(tmp_path) == []


def test_the_next_run_restores_then_replaces(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_short(tmp_path, out) == 0
    before = snapshot(out)
    pid = dead_pid()
    os.replace(out, tmp_path / f".o.old-{pid}")
    capsys.readouterr()
    assert run_short(tmp_path, out) == 0
    assert f"restored {out} from .o.old-{pid}" in capsys.readouterr().err
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != ".sim-output.json"} == {
        k: v for k, v in before.items() if k != ".sim-output.json"
    }
    assert leftovers(tmp_path) == []


# ---- names that become paths or cells ---------------------------------------------------------


def test_slug_keeps_stations_apart():
    from sim.names import slug, unique_slugs

    names = ["Minsk/1", "Minsk?1", "minsk 1", "Минск", "..", "CON", ""]
    slugs = unique_slugs(names)
    assert len(set(slugs.values())) == len(names)
    for s in slugs.values():
        assert s and "/" not in s and "\\" not in s and not s.startswith(".")
    assert slug("Минск") == "минск" and slug("CON") != "con"
    assert unique_slugs(list(reversed(names))) == slugs  # independent of the order


def test_csv_cell_neutralises_text_only():
    from sim.names import csv_cell

    for text in ("=1", "+1", "-1", "@a", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    for value in (-33.9, 0, None, True, "Minsk", "2024-03-27T12:00:00Z"):
        assert csv_cell(value) == value


def test_two_stations_never_share_a_sky_plot(tmp_path):
    from sim.passes import Station, find_passes
    from sim.plots.sky import write_skyplots

    catalogue = __import__("sim").load_catalogue(BUNDLED_TLE)
    stations = [Station(n, 53.90, 27.57) for n in ("Minsk/1", "Minsk?1")]
    passes = find_passes(catalogue, stations, "2024-03-27T17:00Z", "2024-03-27T19:00Z")
    visible = [p for p in passes if p.visible]
    assert sorted(p.station for p in visible) == ["Minsk/1", "Minsk?1"]
    written = write_skyplots(catalogue, stations, visible, tmp_path / "sky", dpi=40)
    assert len({p.name for p in written}) == 2
    assert sorted(p.name for p in (tmp_path / "sky").iterdir()) == sorted(p.name for p in written)
    assert all(p.parent == tmp_path / "sky" for p in written)


def test_names_with_dollars_are_drawn_literally(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from sim.plots.maps import track_map
    from sim.plots.style import save
    from sim.replay import run_scenario
    from sim.scenario import load_scenario

    results = run_scenario(load_scenario(short_scenario(tmp_path, station="$x^2$")))
    fig = track_map(results)
    label = next(t for t in fig.findobj(Text) if t.get_text() == "$x^2$")  # the station label
    save(fig, tmp_path / "map.png", 40)
    renderer = FigureCanvasAgg(fig).get_renderer()  # save() closed the figure
    size = label.get_fontsize()
    literal = Text(0, 0, "$x^2$", fontsize=size, parse_math=False, figure=fig)
    math = Text(0, 0, "$x^2$", fontsize=size, parse_math=True, figure=fig)
    literal_width = literal.get_window_extent(renderer).width
    # the check can tell the two apart: mathtext draws x² without the dollars
    assert math.get_window_extent(renderer).width < literal_width - 3
    # the text itself (an annotation's extent also covers its leader line)
    assert Text.get_window_extent(label, renderer).width == pytest.approx(literal_width, abs=0.5)


def test_run_with_a_station_name_that_is_bad_mathtext(tmp_path, capsys):
    scenario = short_scenario(
        tmp_path,
        station=r"$\\notacommand{x}$",  # TOML: one backslash
        end="2024-03-28T00:00:00Z",
        plots=True,
        skyplots=True,
    )
    out = tmp_path / "o"
    assert main(["run", str(scenario), "--quiet", "--dpi", "40", "--out", str(out)]) == 0
    skyplots = sorted((out / "skyplots").iterdir())
    assert skyplots and all(p.name.startswith("notacommand-x-") for p in skyplots)


@pytest.mark.parametrize("name", ["Min\\u0000sk", "Min\\u0007sk", "Min\\nsk"])
def test_control_characters_in_a_station_name_are_refused(tmp_path, capsys, name):
    scenario = short_scenario(tmp_path, station=name)
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "o")]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "control character U+00" in err
    assert not (tmp_path / "o").exists()


def test_control_characters_on_the_command_line_are_refused(capsys):
    code = main(
        [
            "passes",
            "--tle",
            str(BUNDLED_TLE),
            "--station",
            "Min\x1bsk=53.9,27.57",
            "--start",
            "2024-03-27T12:00Z",
            "--end",
            "2024-03-27T13:00Z",
        ]
    )
    assert code == 2 and "control character U+001B" in capsys.readouterr().err


FORMULAS = ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_never_start_a_formula(tmp_path, formula):
    scenario = short_scenario(tmp_path, station=formula, event=formula, source=formula)
    out = tmp_path / "o"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0
    with open(out / "passes.csv", newline="", encoding="utf-8") as f:
        passes = list(csv.DictReader(f))
    with open(out / "events.csv", newline="", encoding="utf-8") as f:
        events = list(csv.DictReader(f))
    assert passes and {r["station"] for r in passes} == {"'" + formula}
    mine = next(r for r in events if r["kind"] == "other")
    assert mine["name"] == "'" + formula and mine["source"] == "'" + formula
    for row in events:  # numbers stay numbers, negative ones too
        for key in ("iss_lat_deg", "iss_lon_deg", "iss_alt_km", "element_set_age_h", "met_s"):
            float(row[key])
    assert any(float(r["element_set_age_h"]) < 0 for r in events)
    assert all(float(r["max_elevation_deg"]) > 0 for r in passes)
    # the JSON keeps the exact name: neutralising is for spreadsheets only
    assert {p["station"] for p in json.loads((out / "passes.json").read_text())} == {formula}


# ---- consoles that cannot show the text -------------------------------------------------------


def test_ascii_console_falls_back_instead_of_crashing(tmp_path):
    scenario = short_scenario(tmp_path, station="Минск")
    env = _env() | {"PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [*SIM, "run", str(scenario), "--out", str(tmp_path / "o")],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert b"?????" in done.stdout  # Минск, as the console can show it
    assert "Минск" in (tmp_path / "o" / "passes.csv").read_text(encoding="utf-8")
    done = subprocess.run([*SIM, *WINDOW], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert b"?" in done.stdout and b"Traceback" not in done.stderr
