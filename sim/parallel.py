"""Split one long computation over forked worker processes.

For array work that fills preallocated outputs range by range (``fill(a, b, views)`` computes
items ``a..b`` into ``views``): the calling process computes the first range itself, each worker
one other range into its own copy-on-write pages of the same arrays, which the caller then
copies out of the worker's memory in one system call (``process_vm_readv``); nothing is pickled.

Forks only where it is safe and cheap, else runs everything in this process:

* Linux only (``os.fork`` and ``prctl``; elsewhere the one-process path);
* not inside a worker of this module, a ``multiprocessing`` child or a daemonic process;
* not while other Python threads run (a forked child inherits only the calling thread, and a
  lock another thread holds at that moment would never be released in the child);
* ``SIM_WORKERS=1`` in the environment (or ``workers=1`` in the API) turns it off;
  ``SIM_WORKERS=N`` caps the number of processes;
* by itself, only onto cores that are idle right now (``procs_running`` of ``/proc/stat``):
  on a busy machine a second process only adds its overhead (measured: 1.2x the wall time of
  one process at a load of 9 on 2 cores, where the scheduler gives each session its share).

No orphans: each worker asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``),
takes the default action for SIGINT, SIGTERM and SIGHUP (Ctrl-C in a terminal reaches the whole
process group), and the parent kills and reaps every worker when anything interrupts it. A
worker that fails for any reason has its range computed again in the calling process, so an
error is raised there exactly as the one-process path raises it.
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import signal
import sys
import threading
import warnings

import numpy as np

from .errors import SimError

#: Environment variable: at most this many processes (1 = never fork).
ENV_WORKERS = "SIM_WORKERS"

_in_worker = False  # set in a forked worker: a worker never forks again


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def env_workers() -> int | None:
    """``SIM_WORKERS`` as a positive integer, None when unset or empty."""
    text = os.environ.get(ENV_WORKERS, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SimError(f"{ENV_WORKERS}={text!r}: expected a whole number of processes, 1 or more")
    return value


def busy_cores(stat_path: str = "/proc/stat", tasks_dir: str = "/proc/self/task") -> int | None:
    """Tasks running on the machine right now besides this process's own; None where unknown.

    This process's threads in state R are not someone else's load: numpy's BLAS threads keep
    spinning for a while after a matrix product (the Sun table's), and counting them kept a
    60-day track in one process on an idle machine (5.8 s instead of 3.4 s)."""
    try:
        with open(stat_path, "rb") as f:
            running = next(int(line.split()[1]) for line in f if line.startswith(b"procs_running "))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return max(0, running - max(1, _own_running(tasks_dir)))


def _own_running(tasks_dir: str) -> int:
    """How many threads of this process are running or runnable (state R); 1 where unknown."""
    count = 0
    try:
        for task in os.scandir(tasks_dir):
            try:
                with open(os.path.join(task.path, "stat"), "rb") as f:
                    text = f.read()
            except OSError:
                continue  # the thread ended meanwhile
            fields = text[text.rfind(b")") + 2 :].split()  # after "pid (comm) "
            count += bool(fields) and fields[0] == b"R"
    except OSError:
        return 1
    return count


def can_fork() -> bool:
    """True where forked workers are safe here (see the module's notes)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork") or _in_worker:
        return False
    if multiprocessing.parent_process() is not None or multiprocessing.current_process().daemon:
        return False
    return threading.active_count() == 1 and threading.current_thread() is threading.main_thread()


def worker_count(n: int, min_per_worker: int, workers: int | None = None) -> int:
    """How many processes to use for ``n`` items.

    ``workers`` (an API argument) is used as given, at most one per item; otherwise one per
    available core that is idle now, each with at least ``min_per_worker`` items, capped by
    ``SIM_WORKERS``. Always 1 where :func:`can_fork` says no.
    """
    if workers is not None:
        if int(workers) != workers or workers < 1:
            raise SimError(f"workers={workers!r}: expected a whole number of processes, 1 or more")
        count = min(int(workers), n)
    else:
        cores = available_cores()
        count = min(cores, n // max(1, min_per_worker))
        busy = busy_cores() if count > 1 else None
        if busy is not None:
            count = min(count, cores - busy)
        cap = env_workers()
        if cap is not None:
            count = min(count, cap)
    if count > 1 and not can_fork():
        return 1
    return max(1, count)


def split(n: int, parts: int, align: int = 1) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``0..n``, as equal as possible, each starting at a
    multiple of ``align`` (so that chunked work sees the same chunks as one pass would)."""
    blocks = -(-n // align) if n else 0
    parts = max(1, min(parts, blocks))
    edges = [min(n, align * (blocks * k // parts)) for k in range(parts + 1)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a] or [(0, n)]


def empty(specs: dict[str, tuple[tuple[int, ...], str]], shared: bool) -> dict[str, np.ndarray]:
    """Uninitialised arrays by name from ``{name: (shape, dtype)}``; with ``shared``, views on
    one anonymous shared mapping that forked workers write into (freed with the last view)."""
    if not shared:
        return {name: np.empty(shape, dtype) for name, (shape, dtype) in specs.items()}
    layout, offset = {}, 0
    for name, (shape, dtype) in specs.items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        offset = -(-offset // 64) * 64  # each array on a cache line of its own
        layout[name] = (offset, count, dt, shape)
        offset += count * dt.itemsize
    buffer = mmap.mmap(-1, max(offset, 1))  # MAP_SHARED | MAP_ANONYMOUS: seen by forked children
    return {
        name: np.frombuffer(buffer, dtype=dt, count=count, offset=start).reshape(shape)
        for name, (start, count, dt, shape) in layout.items()
    }


def run(fill, ranges: list[tuple[int, int]], outputs: dict[str, np.ndarray]) -> None:
    """``fill(a, b, views)`` for every range at the same time: the first range in this process,
    the others in forked workers. ``views`` maps each name of ``outputs`` (C-contiguous arrays,
    not yet written) to ``outputs[name][a:b]``; ``fill`` writes its results there and anything
    else only into arrays from :func:`empty` with ``shared``.

    A worker writes its rows into its own copy-on-write pages of the same arrays, at the same
    addresses; when it reports success this process copies them out of the worker's memory with
    one ``process_vm_readv`` (a single copy, into private pages) and then ends it. That is much
    cheaper than shared memory, which is faulted in 4 KiB pages (measured: about 1.5 ms per MB,
    private arrays with transparent huge pages about 0.25 ms). A worker's exceptions are not
    passed back: its range (also where the copy fails) is computed again here, where they are
    raised as in one process.
    """

    def views(a, b):
        return {name: arr[a:b] for name, arr in outputs.items()}

    if len(ranges) > 1:
        _libc_setup()
    parent = os.getpid()
    children: dict[int, tuple[int, int, int]] = {}  # pid: (a, b, read end of its pipe)
    failed = []
    try:
        for a, b in ranges[1:]:
            done_r, done_w = os.pipe()
            with warnings.catch_warnings():
                # Python 3.12+ warns about fork in a process with threads; the only other threads
                # here are native ones (OpenBLAS's pool, which handles fork itself): the worker
                # runs numpy and SGP4 on arrays, takes no Python-level lock, and ends in _exit.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                os.close(done_r)
                _worker(fill, a, b, views(a, b), parent, done_w)  # never returns
            os.close(done_w)  # so that the read sees the end of file when the worker dies
            children[pid] = (a, b, done_r)
        a, b = ranges[0]
        fill(a, b, views(a, b))
        for pid in list(children):
            a, b, done_r = children[pid]
            ok = os.read(done_r, 1) == b"1" and _copy_from(pid, views(a, b).values())
            _end(pid)  # only our own children, never another's
            os.close(done_r)
            del children[pid]
            if not ok:
                failed.append((a, b))
    except BaseException:
        for pid, (_a, _b, done_r) in children.items():
            _end(pid)
            os.close(done_r)
        raise
    for a, b in failed:
        fill(a, b, views(a, b))


def _end(pid: int) -> None:
    """Kill and reap a worker of ours."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _worker(fill, a: int, b: int, views: dict, parent: int, done_w: int) -> None:
    """Fill the range, say so on the pipe, then wait to be read and killed by the parent."""
    global _in_worker
    try:
        _in_worker = True
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent(parent)
        fill(a, b, views)
        os.write(done_w, b"1")
        while True:
            signal.pause()
    except BaseException:  # noqa: BLE001 - any failure: the parent computes the range again
        pass
    finally:
        os._exit(1)


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_size_t)]


def _copy_from(pid: int, arrays) -> bool:
    """Copy each array's bytes from the same addresses in process ``pid`` (a worker forked
    from this one) into it; False where that is not possible (then nothing is trusted)."""
    arrays = [arr for arr in arrays if arr.nbytes]
    if not arrays:
        return True
    if _libc is None or not all(arr.flags.c_contiguous for arr in arrays):
        return False
    iov = (_Iovec * len(arrays))(*[(arr.ctypes.data, arr.nbytes) for arr in arrays])
    copied = _libc.process_vm_readv(pid, iov, len(arrays), iov, len(arrays), 0)
    return copied == sum(arr.nbytes for arr in arrays)


_PR_SET_PDEATHSIG = 1
_libc = None


def _libc_setup() -> None:
    """Load ``prctl`` and ``process_vm_readv`` before forking (so a worker does no import or
    library lookup)."""
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.process_vm_readv.restype = ctypes.c_ssize_t
        libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong]
        libc.process_vm_readv.argtypes += [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
        _libc = libc


def _die_with_parent(parent: int) -> None:
    """The kernel sends this process SIGKILL when the parent dies; if it already died between
    ``fork`` and here, end now."""
    if _libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0 or os.getppid() != parent:
        os._exit(1)
