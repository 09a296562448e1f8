"""The data files written by a forked child while the figures are drawn (sim.output.DataWriter):
the same files as a run without pictures, and the guarantees of the output folder kept: an
error or interruption of the child is the run's, an interrupted parent stops and reaps the child
before removing the new folder, and nothing is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_trust_output import _env, assert_hangup_keeps_the_earlier_run, short_scenario, snapshot

from sim.cli import main
from sim.output import DataWriter

pytestmark = pytest.mark.skipif(not DataWriter.possible(), reason="no os.fork here")


def _earlier_run(tmp_path):
    """A short scenario with pictures run once into tmp_path/out: (scenario, out, snapshot)."""
    scenario = short_scenario(tmp_path, plots=True)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0
    return scenario, out, snapshot(out)


def _data_files(folder: Path) -> dict:
    return {
        name: data
        for name, data in snapshot(folder).items()
        if not name.endswith(".png") and name != ".sim-output.json"
    }


def test_forked_writer_writes_the_same_data_files_as_a_run_without_pictures(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    scenario = short_scenario(tmp_path, plots=True, exports=True)
    forks = []
    real_init = DataWriter.__init__

    def counting(self, *args):
        forks.append(1)
        real_init(self, *args)

    monkeypatch.setattr(DataWriter, "__init__", counting)
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "a")]) == 0
    assert forks == [1]  # the picture run went through the child
    assert main(["run", str(scenario), "--quiet", "--no-plots", "--out", str(tmp_path / "b")]) == 0
    assert forks == [1]  # no pictures: written in the process itself
    a, b = _data_files(tmp_path / "a"), _data_files(tmp_path / "b")
    assert sorted(a) == sorted(b) and len(a) >= 10
    assert a == b
    assert "timeline.png" in os.listdir(tmp_path / "a")


def test_an_error_in_the_child_is_the_runs_and_keeps_the_previous_output(
    tmp_path, monkeypatch, capsys
):
    import sim.export.results as data_files
    from sim.errors import OutputError

    scenario, out, before = _earlier_run(tmp_path)

    def refuse(passes, folder, *args):
        raise OutputError(f"{folder / 'passes.json'}: no space left on device (test)")

    monkeypatch.setattr(data_files, "write_passes", refuse)
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}/passes.json: no space left on device (test)" in err  # the folder's name
    assert ".partial-" not in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.toml"]


def test_an_unexpected_error_in_the_child_carries_its_traceback(tmp_path, monkeypatch, capsys):
    import sim.export.results as data_files

    scenario = short_scenario(tmp_path, plots=True)

    def broken(*args):
        raise ZeroDivisionError("a bug in a writer (test)")

    monkeypatch.setattr(data_files, "write_events_csv", broken)
    assert main(["--debug", "run", str(scenario), "--quiet", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError: a bug in a writer (test)" in err
    assert "raised in the data-file writer process" in err and "broken" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.toml"]


CHILD_SLEEPS = """
import os, sys, time
from pathlib import Path
import sim.export.results as data_files
from sim.cli import main

real = data_files.write_passes

def slow(*args):  # the child: note its PID, then take long
    Path(os.environ["PID_FILE"]).write_text(str(os.getpid()))
    time.sleep(60)
    return real(*args)

data_files.write_passes = slow
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_to_the_parent_stops_the_child_and_leaves_nothing(tmp_path):
    scenario, out, before = _earlier_run(tmp_path)
    pid_file = tmp_path.parent / f"{tmp_path.name}-child.pid"
    env = {**_env(), "PID_FILE": str(pid_file)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD_SLEEPS, "run", str(scenario), "--quiet", "--out", str(out)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        while not pid_file.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() - started < 120, "the child never began"
            time.sleep(0.05)
        time.sleep(0.5)
        child = int(pid_file.read_text())
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        pid_file.unlink(missing_ok=True)
    assert proc.returncode == 143, err
    assert err == "sim: interrupted (SIGTERM); no partial output was kept\n"
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left writing
        os.kill(child, 0)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.toml"]


CHILD_HANGS_UP = """
import os, signal, sys
import sim.export.results as data_files
from sim.cli import main

real = data_files.write_passes

def hang_up_then_go_on(*args):  # runs in the child: the signal reaches the child only
    os.kill(os.getpid(), signal.SIGHUP)
    return real(*args)

data_files.write_passes = hang_up_then_go_on
sys.exit(main(sys.argv[1:]))
"""


def test_an_interrupted_child_interrupts_the_run(tmp_path):
    scenario, out, before = _earlier_run(tmp_path)
    assert_hangup_keeps_the_earlier_run(CHILD_HANGS_UP, scenario, out, before)
