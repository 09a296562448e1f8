"""Split one long computation over forked worker processes.

For array work that fills preallocated outputs chunk by chunk (``fill(a, b, views)`` computes
items ``a..b`` into ``views``): the calling process and its workers take the chunks from queues;
a worker computes a chunk into scratch arrays of its own and writes it straight into the
caller's arrays in one system call (``process_vm_writev``; where the kernel refuses that, the
caller reads it out of the worker with ``process_vm_readv``); nothing is pickled and no shared
memory is faulted in (see :func:`run`).

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


#: the variable through which OpenBLAS (numpy's and scipy's BLAS) takes its thread count
BLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"


def one_blas_thread() -> bool:
    """Run BLAS in one thread in this process and the processes it forks, unless the user set
    :data:`BLAS_THREADS_ENV`; True when this call set it. A command spreads its work over
    processes, one per core (this module, the picture workers, the data writer); BLAS's own
    threads there find no idle core, and after each call they spin waiting for the next
    (measured in the default ``sim run``: about 0.4 s of CPU in ``blas_thread_server``, for
    well under 0.05 s of BLAS work). The variable reaches libraries loaded from now on; the
    ones already loaded are set through ``threadpoolctl``."""
    if BLAS_THREADS_ENV in os.environ:
        return False
    os.environ[BLAS_THREADS_ENV] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    return True


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


#: Outputs (the arrays of one :func:`empty` call) of at least this many bytes in all get
#: 4 KiB pages instead of numpy's huge pages (:func:`empty_array`; measured figures there).
NO_HUGEPAGE_MIN_BYTES = 192 << 20
#: numpy advises huge pages for allocations from this size on (its own threshold, 4 MiB);
#: smaller arrays come from ``np.empty`` in any case.
_NUMPY_HUGEPAGE_MIN_BYTES = 1 << 22

#: ``madvise`` advice against transparent huge pages; None where the OS has none (then
#: :func:`empty_array` is ``np.empty``).
_MADV_NOHUGEPAGE = getattr(mmap, "MADV_NOHUGEPAGE", None)


def empty_array(shape, dtype=np.float64, total_bytes: int | None = None) -> np.ndarray:
    """``np.empty(shape, dtype)`` for an output array written once, page by page; when the
    outputs it is one of hold ``total_bytes`` (default: its own size) of at least
    :data:`NO_HUGEPAGE_MIN_BYTES`, in 4 KiB pages.

    numpy asks the kernel for transparent huge pages on every allocation of 4 MiB or more
    (``madvise(MADV_HUGEPAGE)``). Measured in ``propagate`` with the Sun over 12, 30 and
    60 days at 1 s (137, 345 and 690 MB of outputs; one process, CPU seconds, 3 alternating
    fresh runs each, 2-core VM at a load of 3.4-4.6, THP ``enabled`` and ``defrag`` =
    ``madvise``): huge pages 0.83-0.85, 2.56-2.69 and 5.40-5.81 s; 4 KiB pages 0.90-0.97,
    2.26-2.29 and 4.52-4.58 s. In 4 KiB pages the cost is linear in the span (0.076 s a day
    at each length); huge pages are cheaper while the outputs are small (the 12-day track, the
    job where sim races astroz) and ever dearer past that (0.087 s a day at 30 days, 0.093 at
    60; the kernel counted no compaction stall: likely the cost of backing fresh memory once
    the recently freed huge pages are used up). Hence 4 KiB pages from about 200 MB on: there
    each array of 4 MiB or more is a private anonymous mapping of its own advised
    ``MADV_NOHUGEPAGE``, wrapped by ``np.frombuffer``: writable, C-contiguous, picklable (as a
    copy), unmapped when the last view of it goes, and private to this process like
    ``np.empty`` (a forked worker's writes land here only through ``process_vm_writev``).
    numpy's own setting, process-wide and the user's, is left alone. Unlike ``np.empty``'s,
    such an array does not own its memory: ``ndarray.resize`` refuses it (nothing in sim
    resizes). Where the OS has no such advice this is ``np.empty``; where the kernel has no
    huge pages (``madvise`` fails), a mapping without advice.
    """
    dt = np.dtype(dtype)
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(k) for k in shape)
    count = int(np.prod(shape, dtype=np.int64))
    nbytes = count * dt.itemsize
    total = nbytes if total_bytes is None else max(int(total_bytes), nbytes)
    small = nbytes < _NUMPY_HUGEPAGE_MIN_BYTES or total < NO_HUGEPAGE_MIN_BYTES
    if _MADV_NOHUGEPAGE is None or small:
        return np.empty(shape, dt)
    buffer = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        buffer.madvise(_MADV_NOHUGEPAGE)
    except OSError:
        pass  # a kernel built without huge pages (EINVAL): none to avoid
    return np.frombuffer(buffer, dtype=dt, count=count).reshape(shape)


def empty(specs: dict[str, tuple[tuple[int, ...], str]], shared: bool) -> dict[str, np.ndarray]:
    """Uninitialised arrays by name from ``{name: (shape, dtype)}``, from :func:`empty_array`
    as outputs of the size of them all; with ``shared``, views on one anonymous shared mapping
    that forked workers write into (freed with the last view)."""
    if not shared:
        total = sum(
            int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            for shape, dtype in specs.values()
        )
        return {name: empty_array(shape, dtype, total) for name, (shape, dtype) in specs.items()}
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


def run(fill, chunks: list[tuple[int, int]], outputs: dict[str, np.ndarray], processes: int):
    """``fill(a, b, views)`` for every chunk ``(a, b)``, over ``processes`` processes: this one
    and forked workers. ``views`` maps each name of ``outputs`` (C-contiguous arrays, not yet
    written) to ``outputs[name][a:b]``; ``fill`` writes its results there and anything else
    only into arrays from :func:`empty` with ``shared``.

    Each process has a queue of contiguous chunks, one part of the whole (a pipe holding their
    numbers: a read of 4 bytes takes exactly one, atomically); with its own queue empty it takes
    chunks from the others' queues, so the processes end within about a chunk of each other
    however the machine shares its cores. A worker computes each chunk into a scratch chunk of
    its own and writes it straight into this process's arrays (``process_vm_writev``: the
    arrays are at the same addresses in both), then reports it on its pipe: nothing is pickled,
    nothing is copied here, and each page of the outputs is faulted in once, in this process's
    private memory (shared memory, faulted in 4 KiB pages, cost about 1.5 ms per MB here; the
    private 4 KiB pages of :func:`empty_array` about 0.55, without huge pages' random cost).
    Where that write is refused (a kernel that lets a process read its children but not write
    its parent, such as Yama's ``ptrace_scope`` 1), the worker keeps the chunk in its own
    copy-on-write pages of the arrays and this process reads it from there
    (``process_vm_readv``). A chunk a worker did not report (it failed or died) or that could
    not be copied is computed here at the end, where its errors are raised as in one process.
    """

    def views(a, b):
        return {name: arr[a:b] for name, arr in outputs.items()}

    processes = min(processes, len(chunks))
    if processes <= 1 or 4 * len(chunks) > _PIPE_CAPACITY:  # (16,384 chunks: not reached)
        for a, b in chunks:
            fill(a, b, views(a, b))
        return
    _libc_setup()
    queues = []
    for part in np.array_split(np.arange(len(chunks), dtype=np.int32), processes):
        queue_r, queue_w = os.pipe()
        os.write(queue_w, part.tobytes())  # within the pipe's capacity
        os.close(queue_w)  # a read of an empty queue then sees the end of file
        queues.append(queue_r)
    parent = os.getpid()
    children: dict[int, int] = {}  # pid: read end of its pipe of finished chunks
    done = np.zeros(len(chunks), dtype=bool)
    try:
        for own in range(1, processes):
            done_r, done_w = os.pipe()
            with warnings.catch_warnings():
                # Python 3.12+ warns about fork in a process with threads; the only other threads
                # here are native ones (OpenBLAS's pool, which handles fork itself): the worker
                # runs numpy and SGP4 on arrays, takes no Python-level lock, and ends in _exit.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                os.close(done_r)
                _worker(fill, chunks, outputs, queues[own:] + queues[:own], done_w, parent)
            os.close(done_w)  # so that a read sees the end of file when the worker ends
            os.set_blocking(done_r, False)
            children[pid] = done_r
        while (k := _take(queues)) is not None:
            fill(*chunks[k], views(*chunks[k]))
            done[k] = True
            _collect(children, chunks, views, done, wait=False)  # what workers have finished
        _collect(children, chunks, views, done, wait=True)
    except BaseException:
        for pid, done_r in children.items():
            _end(pid)
            os.close(done_r)
        raise
    finally:
        for queue_r in queues:
            os.close(queue_r)
    for k in np.flatnonzero(~done):
        fill(*chunks[k], views(*chunks[k]))


#: Bytes a pipe holds before a write blocks (Linux's default: 16 pages).
_PIPE_CAPACITY = 65536


def _take(queues: list[int]) -> int | None:
    """The next chunk's number from the first of the queues that is not empty; None when all
    are."""
    for queue_r in queues:
        got = os.read(queue_r, 4)
        if got:
            return int(np.frombuffer(got, dtype=np.int32)[0])
    return None


def _collect(children: dict[int, int], chunks, views, done, wait: bool) -> None:
    """Copy the chunks each worker reports finished (``children``: pid -> its pipe); with
    ``wait``, until every worker has said it has no more or has ended. A worker that has is
    ended and left out of ``children``; a chunk that cannot be copied stays not ``done``."""
    for pid, done_r in list(children.items()):
        os.set_blocking(done_r, wait)
        while True:
            try:
                got = os.read(done_r, 4)  # one 4-byte report per write: never split
            except BlockingIOError:
                break  # nothing more yet
            k = int(np.frombuffer(got, dtype=np.int32)[0]) if got else -1
            if k == -1:  # the queues were empty (or the worker failed: end of file)
                _end(pid)  # only our own children, never another's
                os.close(children.pop(pid))
                break
            if k >= 0:  # written into this process's arrays by the worker
                done[k] = True
            else:  # left in the worker's own pages: copied from there
                done[-2 - k] = _copy(pid, views(*chunks[-2 - k]).values())


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


def _worker(fill, chunks, outputs, queues: list[int], done_w: int, parent: int) -> None:
    """Fill chunks from the queues (its own first) into a scratch chunk, write each into the
    parent's arrays and report its number k on the pipe (or, where that write is refused, copy
    it into this process's own pages of the arrays and report -2 - k); then report -1 (all
    queues are empty) and wait to be read and killed by the parent."""
    global _in_worker
    try:
        _in_worker = True
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent(parent)
        rows = max(b - a for a, b in chunks)
        scratch = {
            name: empty_array((rows, *arr.shape[1:]), arr.dtype) for name, arr in outputs.items()
        }
        while (k := _take(queues)) is not None:
            a, b = chunks[k]
            mine = {name: arr[: b - a] for name, arr in scratch.items()}
            fill(a, b, mine)
            theirs = [outputs[name][a:b] for name in mine]  # the parent's, at the same addresses
            if not _copy(parent, theirs, mine.values(), write=True):
                for there, here in zip(theirs, mine.values(), strict=True):
                    there[...] = here
                k = -2 - k
            os.write(done_w, np.int32(k).tobytes())
        os.write(done_w, np.int32(-1).tobytes())
        while True:
            signal.pause()
    except BaseException:  # noqa: BLE001 - any failure: the parent computes the chunks again
        pass
    finally:
        os._exit(1)


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_size_t)]


def _copy(pid: int, arrays, sources=None, write: bool = False) -> bool:
    """Copy the bytes of the arrays at the same addresses in process ``pid`` into them (or,
    with ``write``, the bytes of ``sources`` into those addresses in ``pid``), in one system
    call; False where that is not possible (then nothing is trusted)."""
    arrays = list(arrays)
    sources = arrays if sources is None else list(sources)
    pairs = [(x, y) for x, y in zip(arrays, sources, strict=True) if x.nbytes]
    if not pairs:
        return True
    if _libc is None or not all(x.flags.c_contiguous and y.flags.c_contiguous for x, y in pairs):
        return False
    here = (_Iovec * len(pairs))(*[(y.ctypes.data, y.nbytes) for _, y in pairs])
    there = (_Iovec * len(pairs))(*[(x.ctypes.data, x.nbytes) for x, _ in pairs])
    call = _libc.process_vm_writev if write else _libc.process_vm_readv
    return call(pid, here, len(pairs), there, len(pairs), 0) == sum(x.nbytes for x, _ in pairs)


_PR_SET_PDEATHSIG = 1
_libc = None


def _libc_setup() -> None:
    """Load ``prctl``, ``process_vm_readv`` and ``process_vm_writev`` before forking (so a
    worker does no import or library lookup)."""
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        for call in (libc.process_vm_readv, libc.process_vm_writev):
            call.restype = ctypes.c_ssize_t
            call.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
            call.argtypes += [ctypes.c_ulong, ctypes.c_ulong]
        _libc = libc


def _die_with_parent(parent: int) -> None:
    """The kernel sends this process SIGKILL when the parent dies; if it already died between
    ``fork`` and here, end now."""
    if _libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0 or os.getppid() != parent:
        os._exit(1)
