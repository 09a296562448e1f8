"""propagate over forked worker processes (sim.parallel): the same bits, the same errors, no
orphans, and one process wherever forking is unsafe or turned off."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from conftest import BUNDLED_TLE, ROOT, write_decaying_tle

import sim
import sim.ephemeris as se
import sim.parallel as par
from sim.ephemeris import propagate
from sim.errors import SimError, TimeSpanError
from sim.times import TimeGrid

FIELDS = (
    "r_teme_km",
    "v_teme_km_s",
    "r_itrs_km",
    "v_itrs_km_s",
    "lat_deg",
    "lon_deg",
    "alt_km",
    "set_index",
    "age_h",
    "error",
    "shadow",
)
STAY = ("2024-03-25T15:02:51Z", "2024-04-06T03:54:58Z")  # docking to undocking


@pytest.fixture
def forks(monkeypatch):
    """Counts the workers forked (in this process), so a test knows the parallel path ran."""
    count = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            count.append(pid)
        return pid

    monkeypatch.setattr(par.os, "fork", fork)
    return count


def _same(one, other):
    for name in FIELDS:
        a, b = getattr(one, name), getattr(other, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name


def _decaying_catalogue(tmp_path):
    return sim.load_catalogue(write_decaying_tle(tmp_path))


def test_two_processes_give_the_bits_of_one_over_the_stay(catalogue, forks):
    # the whole stay at 3 s (332,244 instants, 4 chunks, 3 switches of set), with the Sun
    grid = TimeGrid.span(*STAY, 3.0)
    one = propagate(catalogue, grid, workers=1)
    assert not forks
    two = propagate(catalogue, grid, workers=2)
    assert len(forks) == 1
    assert len(np.unique(one.set_index)) == 4  # three switches of element set in the stay
    assert (one.shadow == se.UMBRA).any() and (one.shadow == se.SUNLIT).any()
    _same(one, two)


@pytest.mark.parametrize("workers", [2, 3])
def test_sgp4_failures_and_decay_rows_are_the_same_in_parallel(
    tmp_path, monkeypatch, forks, workers
):
    from sim.elements import trust

    cat = _decaying_catalogue(tmp_path)
    monkeypatch.setattr(se, "PROPAGATE_CHUNK", 1000)  # 22 chunks: some all good, some all failed
    grid = TimeGrid.span("2024-03-27T12:00Z", "2024-03-27T18:00Z", 1.0)  # fails from 15:36
    first = propagate(cat, grid, workers=1)
    good = first.error == 0
    # "re-entered" below the lowest tenth of the good states: code 6 rows among the good ones
    radius = np.linalg.norm(first.r_teme_km[good], axis=1)
    monkeypatch.setattr(trust, "MIN_RADIUS_KM", float(np.percentile(radius, 10)))
    one = propagate(cat, grid, workers=1)
    many = propagate(cat, grid, workers=workers)
    assert len(forks) == workers - 1
    codes = np.unique(one.error).tolist()
    assert codes == [0, 1, trust.DECAYED]  # good, SGP4's own failure, below the radius
    assert np.isnan(one.lat_deg[one.error != 0]).all()
    assert np.isfinite(one.lat_deg[one.error == 0]).all()
    assert (one.error[: 2 * len(one) // 3] == 0).sum() > len(one) / 2  # good in every range
    _same(one, many)


def _day_in_chunks(catalogue, monkeypatch, chunk):
    """One day at 1 s computed in chunks of ``chunk`` instants, and its track from one process."""
    monkeypatch.setattr(se, "PROPAGATE_CHUNK", chunk)
    grid = TimeGrid.span("2024-03-28T00:00Z", "2024-03-29T00:00Z", 1.0)
    return grid, propagate(catalogue, grid, workers=1)


def test_the_workers_chunks_reach_this_process_without_being_computed_again(
    catalogue, monkeypatch, forks
):
    grid, one = _day_in_chunks(catalogue, monkeypatch, 5_000)
    size = se._chunk_size(len(grid))
    chunks = [(c, min(len(grid), c + size)) for c in range(0, len(grid), size)]
    parent = os.getpid()
    here = []
    real = se._propagate_range

    def counted(*args):
        if os.getpid() == parent:
            here.append(args[-3:-1])  # (a, b) of each call here
            time.sleep(0.02)  # so that the workers surely take some chunks, however loaded
        real(*args)

    monkeypatch.setattr(se, "_propagate_range", counted)
    reads = []
    real_copy = par._copy

    def copy(pid, arrays, sources=None, write=False):
        if os.getpid() == parent:
            reads.append(pid)  # the parent only ever reads
        return real_copy(pid, arrays, sources, write)

    monkeypatch.setattr(par, "_copy", copy)
    three = propagate(catalogue, grid, workers=3)
    assert len(forks) == 2 and len(chunks) == 18
    # the workers wrote their chunks into this process: none read, none computed twice here
    assert 0 < len(here) < len(chunks) and len(set(here)) == len(here) and not reads
    _same(one, three)
    # a kernel that refuses the worker's write: the chunks are read from the workers instead
    here.clear()
    monkeypatch.setattr(
        par, "_copy", lambda pid, a, s=None, write=False: not write and copy(pid, a, s, write)
    )
    again = propagate(catalogue, grid, workers=3)
    assert len(forks) == 4 and len(here) + len(reads) == len(chunks) and set(reads) == {*forks[2:]}
    _same(one, again)
    # and where neither works (no process_vm_readv, say), every chunk is computed here
    here.clear()
    monkeypatch.setattr(par, "_libc", None)
    monkeypatch.setattr(par, "_libc_setup", lambda: None)
    monkeypatch.setattr(par, "_copy", real_copy)
    last = propagate(catalogue, grid, workers=3)
    assert len(forks) == 6 and sorted(here) == chunks
    _same(one, last)


def test_a_process_that_is_held_up_has_its_chunks_taken_by_the_others(
    catalogue, monkeypatch, forks
):
    # the worker's part is the second half; held up for a second at each chunk, it finishes
    # one while this process computes its own half and then takes the rest of the worker's
    grid, one = _day_in_chunks(catalogue, monkeypatch, 5_000)
    parent = os.getpid()
    here = []
    real = se._propagate_range

    def slow_in_workers(*args):
        if os.getpid() == parent:
            here.append(args[-3])
        else:
            time.sleep(1.0)
        real(*args)

    monkeypatch.setattr(se, "_propagate_range", slow_in_workers)
    two = propagate(catalogue, grid, workers=2)
    assert len(forks) == 1
    size = se._chunk_size(len(grid))
    assert -(-len(grid) // size) == 18 and len(here) >= 17
    assert sorted(here)[:9] == [k * size for k in range(9)]  # its own half, then the worker's
    assert all(9 * size <= a for a in set(range(0, len(grid), size)) - set(here))
    _same(one, two)


def test_a_worker_that_fails_has_its_range_computed_again(catalogue, monkeypatch, forks):
    grid, one = _day_in_chunks(catalogue, monkeypatch, 20_000)
    parent = os.getpid()
    real = se._propagate_range

    def broken_in_workers(*args):
        if os.getpid() != parent:
            raise MemoryError("a worker ran out of memory")
        real(*args)

    monkeypatch.setattr(se, "_propagate_range", broken_in_workers)
    two = propagate(catalogue, grid, workers=2)
    assert len(forks) == 1
    _same(one, two)


def _refusal(catalogue, grid, workers):
    with pytest.raises(TimeSpanError) as caught:
        propagate(catalogue, grid, workers=workers)
    return str(caught.value)


@pytest.mark.parametrize(
    "start, end, limit, fragment",
    [
        # past the 30-day limit of the trust rule, at the end of a long grid
        ("2024-04-20T00:00Z", "2024-05-20T00:00Z", None, "beyond the limit of 30 days"),
        # limit lifted: SGP4 fails at every instant in 2050
        ("2050-01-01T00:00Z", "2050-01-01T12:00Z", 36000.0, "SGP4 fails at every instant"),
        # limit lifted: in 1950 SGP4 returns 1e13 km with error code 0
        ("1950-01-01T00:00Z", "1950-01-01T12:00Z", 3e4, "a state no orbit has"),
    ],
)
def test_refusals_are_the_same_in_parallel(start, end, limit, fragment, monkeypatch, forks):
    monkeypatch.setattr(se, "PROPAGATE_CHUNK", 1000)
    kwargs = {} if limit is None else {"max_extrapolation_days": limit}
    cat = sim.load_catalogue(BUNDLED_TLE, **kwargs)
    grid = TimeGrid.span(start, end, 2.0)
    # the rule applied by the catalogue to the whole grid at once is the reference
    with pytest.raises(TimeSpanError) as rule:
        cat.teme(grid.whole, grid.fraction)
    assert fragment in str(rule.value)
    assert _refusal(cat, grid, 1) == str(rule.value)
    assert not forks
    assert _refusal(cat, grid, 2) == str(rule.value)
    # past the limit: refused before any work; the states: after the workers flagged them
    assert len(forks) == (0 if limit is None else 1)


def test_the_span_shortcut_refuses_exactly_what_the_rule_refuses(catalogue):
    # the ends of the runs bound the ages; one instant past the limit in the middle of a grid
    # that is not in order must still be found, and an in-order grid just inside is accepted
    limit_days = catalogue.max_extrapolation_days
    last = catalogue.sets[-1]
    edge = last.epoch_jd + last.epoch_fraction + limit_days
    inside = TimeGrid(np.array([edge - 1.0, edge - 1e-5]), np.zeros(2))
    se._check_span(catalogue, inside.whole, inside.fraction)
    catalogue.check_span(inside.whole, inside.fraction)
    shuffled = TimeGrid(np.array([edge - 2.0, edge + 1e-4, edge - 3.0]), np.zeros(3))
    with pytest.raises(TimeSpanError) as rule:
        catalogue.check_span(shuffled.whole, shuffled.fraction)
    with pytest.raises(TimeSpanError) as short:
        se._check_span(catalogue, shuffled.whole, shuffled.fraction)
    assert str(short.value) == str(rule.value)


def test_the_order_check_sees_a_step_back_at_every_place_block_edges_included():
    whole = np.full(9, 2460400.0)
    fraction = np.linspace(0.1, 0.9, 9)
    assert se._in_order(whole, fraction, block=4)
    for k in range(1, 9):  # instant k a little before instant k - 1: edges at 4 and 8
        back = fraction.copy()
        back[k] = back[k - 1] - 1e-9
        assert not se._in_order(whole, back, block=4), k
    fraction[5] = np.nan
    assert not se._in_order(whole, fraction, block=4)


def test_one_process_when_turned_off_or_unsafe(monkeypatch):
    n = 10 * se.PARALLEL_MIN_INSTANTS
    monkeypatch.delenv(par.ENV_WORKERS, raising=False)
    monkeypatch.setattr(par, "available_cores", lambda: 2)
    monkeypatch.setattr(par, "busy_cores", lambda: 0)
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS) == 2
    monkeypatch.setattr(par, "busy_cores", lambda: 1)  # one core taken by someone else
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS) == 1
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS, workers=2) == 2  # as asked
    monkeypatch.setattr(par, "busy_cores", lambda: None)  # unknown: every core
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS) == 2
    assert par.worker_count(se.PARALLEL_MIN_INSTANTS, se.PARALLEL_MIN_INSTANTS) == 1
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS, workers=1) == 1
    monkeypatch.setenv(par.ENV_WORKERS, "1")
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(par.ENV_WORKERS, bad)
        with pytest.raises(SimError, match="SIM_WORKERS"):
            par.worker_count(n, se.PARALLEL_MIN_INSTANTS)
    monkeypatch.delenv(par.ENV_WORKERS)
    with pytest.raises(SimError, match="workers=0"):
        par.worker_count(n, se.PARALLEL_MIN_INSTANTS, workers=0)
    # another Python thread running: a forked child could inherit a lock it holds
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS, workers=2) == 1
    finally:
        stop.set()
        other.join()
    assert par.worker_count(n, se.PARALLEL_MIN_INSTANTS, workers=2) == 2


def test_no_fork_inside_a_multiprocessing_child_or_a_worker():
    code = textwrap.dedent(
        """
        import multiprocessing as mp
        import sim.parallel as par

        def probe(q):
            q.put(par.can_fork())

        if __name__ == "__main__":
            q = mp.get_context("fork").Queue()
            p = mp.get_context("fork").Process(target=probe, args=(q,), daemon=True)
            p.start()
            print(par.can_fork(), q.get(timeout=30))
            p.join()
            par._in_worker = True
            print(par.can_fork())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "False"]


def test_busy_cores_counts_the_running_tasks_besides_this_one():
    busy = par.busy_cores()
    assert busy is not None and busy >= 0  # this test itself runs: procs_running >= 1
    stop = time.monotonic() + 0.3
    spinner = subprocess.Popen(
        [sys.executable, "-c", f"import time\nwhile time.monotonic() < {stop + 5}: pass"]
    )
    try:
        time.sleep(0.2)
        assert max(par.busy_cores() for _ in range(20)) >= 1  # the spinning child is seen
    finally:
        spinner.kill()
        spinner.wait()


def test_busy_cores_leaves_out_this_processs_own_running_threads(tmp_path):
    # procs_running 4: this process has two threads running (a BLAS thread still spinning
    # after a matrix product, and the caller) and one asleep; two tasks are someone else's
    (tmp_path / "stat").write_text("cpu  1 2 3\nprocs_running 4\nprocs_blocked 0\n")
    tasks = tmp_path / "task"
    for tid, state in [(100, "R"), (101, "R"), (102, "S")]:
        (tasks / str(tid)).mkdir(parents=True)
        (tasks / str(tid) / "stat").write_text(f"{tid} (python3 (x) y) {state} 1 2 3\n")
    assert par.busy_cores(str(tmp_path / "stat"), str(tasks)) == 2
    # with no thread of its own seen running, the caller still counts as one
    assert par.busy_cores(str(tmp_path / "stat"), str(tmp_path / "none")) == 3
    (tmp_path / "bad").write_text("cpu 1 2 3\n")
    assert par.busy_cores(str(tmp_path / "bad"), str(tasks)) is None


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent has not reaped it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux only")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killing_the_parent_mid_track_leaves_no_worker(sig):
    # the worker is held mid-track for a minute: only the parent's end can end it early
    script = textwrap.dedent(
        f"""
        import faulthandler
        import os
        import signal
        import time
        import sim

        faulthandler.register(signal.SIGUSR1)  # the test asks for the stacks if we hang
        # Ctrl-C as in a terminal: a test run started in the background (`cmd &`) hands its
        # children SIGINT ignored, and Python then leaves it ignored
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import sim.ephemeris as se
        from sim.times import TimeGrid

        parent = os.getpid()
        real = se._propagate_range

        def slow_in_workers(*args):
            if os.getpid() != parent:
                time.sleep(60)
            real(*args)

        se._propagate_range = slow_in_workers
        se.PROPAGATE_CHUNK = 5000
        cat = sim.load_catalogue({str(BUNDLED_TLE)!r})
        grid = TimeGrid.span("2024-03-28T00:00Z", "2024-03-28T06:00Z", 1.0)
        print("ready", flush=True)
        se.propagate(cat, grid, sunlight=False, workers=2)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        workers = []
        while not workers and time.monotonic() < deadline:
            workers = _children(proc.pid)  # mid-track: the worker is running
        assert workers, "no worker seen within 30 s"
        time.sleep(0.2)  # past the worker's set-up
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # say where the parent hangs, then fail
            os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(1)
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError(f"parent still running 30 s after {sig!r}:\n{err}") from None
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in workers), f"orphaned workers after {sig!r}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
