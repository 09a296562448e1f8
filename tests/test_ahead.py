"""Work done ahead in a forked child (sim.ahead): the caller gets the value the function
returns, or the exception it raises, and the progress it reported; a stopped child is gone."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from sim.ahead import Ahead
from sim.errors import SimError


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_value_is_computed_in_another_process_and_progress_is_relayed():
    parent = os.getpid()

    def work(progress):
        progress("step one")
        progress("step two")
        return os.getpid(), np.arange(5.0) ** 2

    ahead = Ahead(work)
    heard = []
    pid, squares = ahead.result(heard.append)
    assert pid != parent  # it ran in the child
    assert squares.tolist() == [0.0, 1.0, 4.0, 9.0, 16.0]
    assert heard == ["step one", "step two"]
    assert ahead.pid is None and ahead.read_fd is None  # reaped, pipe closed
    ahead.stop()  # nothing left to stop: no error


def test_exception_of_the_child_is_raised_in_the_caller():
    def work(progress):
        raise SimError("bad element set in the child")

    ahead = Ahead(work)
    with pytest.raises(SimError, match="bad element set in the child"):
        ahead.result()


def test_an_exception_that_cannot_be_pickled_arrives_as_its_text():
    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("no pickling")

    def work(progress):
        raise Odd("odd failure")

    with pytest.raises(RuntimeError, match="Odd: odd failure"):
        Ahead(work).result()


def test_a_child_killed_without_a_result_is_an_error():
    def work(progress):
        os._exit(3)

    with pytest.raises(SimError, match="exit status 3"):
        Ahead(work).result()


def test_stop_ends_a_running_child_and_reaps_it():
    def work(progress):
        time.sleep(60)
        return 1

    ahead = Ahead(work)
    pid = ahead.pid
    started = time.monotonic()
    ahead.stop()
    assert time.monotonic() - started < 5
    assert ahead.pid is None
    assert _pid_gone(pid)


def test_without_fork_the_function_runs_in_the_caller(monkeypatch):
    monkeypatch.delattr(os, "fork")
    ahead = Ahead(lambda progress: (progress("here"), os.getpid())[1])
    assert ahead.pid is None
    heard = []
    assert ahead.result(heard.append) == os.getpid()
    assert heard == ["here"]


def test_the_flight_flown_ahead_is_the_flight_flown_here(monkeypatch):
    """run_scenario flies the modelled Soyuz in a child while it replays the track: every
    leg's states are those of the flight flown in this process, and the progress is heard."""
    import sim.replay as replay
    from sim.bundled import default_scenario
    from sim.scenario import load_scenario

    monkeypatch.setattr(replay, "_FLOWN", {})
    heard = []
    sc = load_scenario(default_scenario())
    results = replay.run_scenario(sc, progress=heard.append)
    assert any("Soyuz" in text for text in heard)
    here = replay._fly_now(sc.flight_model, results.catalogue, None)
    ahead = results.flight
    assert [leg.name for leg in ahead.legs] == [leg.name for leg in here.legs]
    for a, b in zip(ahead.legs, here.legs, strict=True):
        assert np.array_equal(a.r_teme_km, b.r_teme_km)
        assert np.array_equal(a.v_teme_km_s, b.v_teme_km_s)
    assert ahead.solution == here.solution
    # kept as flown: a second replay in this process does not fly again
    assert replay.fly(sc.flight_model, results.catalogue) is ahead


def test_the_legs_sampled_ahead_are_the_legs_sampled_here(monkeypatch):
    """The child also samples each leg and finds its passes (sample_flight): the trajectories
    and model passes run_scenario returns are those sampled in this process from its flight;
    ``meanwhile`` is done once, here."""
    import sim.replay as replay
    from sim.bundled import default_scenario
    from sim.scenario import load_scenario

    monkeypatch.setattr(replay, "_FLOWN", {})
    sc = load_scenario(default_scenario())
    done = []
    results = replay.run_scenario(sc, meanwhile=lambda: done.append(os.getpid()))
    assert done == [os.getpid()]
    here = replay.sample_flight(results.flight, sc.stations, sc.visibility)
    assert len(here) == len(results.flight.legs) > 0
    passes_here = []
    for trajectory, passes in here:
        ahead = results.trajectories[trajectory.name]
        assert (ahead.source, ahead.assumptions, ahead.object_name) == (
            trajectory.source,
            trajectory.assumptions,
            trajectory.object_name,
        )
        for name in ("r_teme_km", "r_itrs_km", "lat_deg", "lon_deg", "alt_km", "shadow"):
            a, b = getattr(ahead.ephemeris, name), getattr(trajectory.ephemeris, name)
            assert np.array_equal(a, b, equal_nan=True), (trajectory.name, name)
        passes_here += passes
    passes_here.sort(key=lambda p: (p.rise_jd, p.station))
    assert [p.to_dict() for p in results.model_passes] == [p.to_dict() for p in passes_here]
    assert all(p.extra["object"] in results.trajectories for p in results.model_passes)


def test_the_child_traceback_comes_with_an_unexpected_exception():
    def deep_in_the_child(progress):
        return {}["missing"]

    with pytest.raises(KeyError) as info:
        Ahead(deep_in_the_child).result()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "raised in a child process" in notes and "deep_in_the_child" in notes


@pytest.mark.parametrize(
    ("variable", "cores", "forks"), [("1", 2, False), ("2", 2, True), ("", 1, False), ("", 2, True)]
)
def test_a_child_only_where_it_helps(monkeypatch, variable, cores, forks):
    """SIM_WORKERS=1 (one process) or a single available core: computed in the caller."""
    import sim.parallel

    monkeypatch.setenv("SIM_WORKERS", variable)
    monkeypatch.setattr(sim.parallel, "available_cores", lambda: cores)
    ahead = Ahead(lambda progress: os.getpid())
    assert (ahead.pid is not None) == forks
    assert (ahead.result() != os.getpid()) == forks
