"""The output folder of a run: sim replaces only what it wrote itself, one run at a time, and
swaps the new folder in only when it is complete.

- **Ownership.** Every output folder carries :data:`MARKER` (``.sim-output.json``: who wrote it,
  the sim version, the scenario, when). A folder is replaced only when it does not exist, is
  empty, or carries the marker; anything else (a folder of the user's, a file, a device, a FIFO,
  a symbolic link to something that is not a folder) is refused with an ``OutputError`` and
  left untouched. A symbolic link to a sim output folder is followed: the folder it points at is
  replaced, the link stays.
- **One run at a time.** The swap happens under an exclusive lock (``fcntl.flock``) on
  ``.NAME.lock`` beside the target, which the last run removes; a second run waits its turn.
- **Recoverable at every instant.** The new folder is built as ``.NAME.partial-PID`` beside the
  target; the swap renames the target to ``.NAME.old-PID``, the new folder to the target, and
  removes the old one, with SIGINT/SIGTERM/SIGHUP held back until it is done. A run that finds
  leftovers of an earlier run that was killed (its PID gone) rolls them back (restores the
  ``.old`` folder when the target is missing) or removes them, and says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

from .errors import OutputError, SimError
from .export.atomic import atomic_writer, file_kind
from .interrupts import check, held
from .results import Results

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: an exclusive lock file instead
    fcntl = None

MARKER = ".sim-output.json"
MARKER_MAX_BYTES = 65536


def _sim_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sim-orbital-replay")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def _is_marker(path: Path) -> bool:
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MARKER_MAX_BYTES:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("written_by") == "sim"


def check_output_folder(out_dir) -> Path:
    """The folder that writing ``out_dir`` will replace (``out_dir`` made absolute, or the
    folder a symbolic link points at). Raises ``OutputError`` naming ``out_dir`` and the reason
    when that is not sim's to replace. Touches nothing."""
    out = Path(out_dir)
    if out.is_symlink():
        real = Path(os.path.realpath(out))
        try:
            mode = os.stat(real).st_mode
        except OSError:
            raise OutputError(
                f"{out}: a symbolic link to {real}, which does not exist; refusing to write "
                "through it"
            ) from None
        if not stat.S_ISDIR(mode):
            raise OutputError(
                f"{out}: a symbolic link to {file_kind(mode)}, not a folder; refusing to replace it"
            )
        target = real
    else:
        target = Path(os.path.abspath(out))
    if not target.name:
        raise OutputError(f"{out}: the root folder cannot be an output folder")
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the parent is made (or refused) later
        return target
    except OSError as exc:
        raise OutputError(f"{out}: cannot be used as the output folder ({exc.strerror})") from None
    if not stat.S_ISDIR(mode):
        raise OutputError(
            f"{out} is {file_kind(mode)}, not a folder; refusing to replace it "
            "(give --out a folder name)"
        )
    try:
        entries = os.listdir(target)
    except OSError as exc:
        raise OutputError(f"{out}: cannot be read ({exc.strerror})") from None
    if entries and not (MARKER in entries and _is_marker(target / MARKER)):
        raise OutputError(
            f"{out}: a folder sim did not write (no {MARKER}; it holds {len(entries)} "
            f"entr{'y' if len(entries) == 1 else 'ies'}); refusing to replace it (choose another "
            "--out, or empty it)"
        )
    return target


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():  # a leftover with our own PID is from an earlier life of this PID
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover
        return True
    return True


def _leftovers(parent: Path, name: str) -> list[tuple[str, Path, int]]:
    pattern = re.compile(rf"\.{re.escape(name)}\.(partial|old)-(\d+)")
    found = []
    with os.scandir(parent) as it:
        for entry in it:
            m = pattern.fullmatch(entry.name)
            if m and entry.is_dir(follow_symlinks=False):
                found.append((m[1], Path(entry.path), int(m[2])))
    return sorted(found, key=lambda f: f[1].name)


def recover(target: Path, shown: str, notice) -> None:
    """Roll back or remove what an interrupted earlier run left beside ``target``."""
    found = [f for f in _leftovers(target.parent, target.name) if not _pid_alive(f[2])]
    with held():
        if not os.path.lexists(target):
            olds = [f for f in found if f[0] == "old"]
            if olds:  # killed between the two renames: the old folder is the last good output
                kind, path, pid = max(olds, key=lambda f: f[1].stat().st_mtime)
                os.replace(path, target)
                found.remove((kind, path, pid))
                notice(f"restored {shown} from {path.name}, left by an interrupted run (PID {pid})")
        for kind, path, pid in found:
            shutil.rmtree(path, ignore_errors=True)
            what = "unfinished output" if kind == "partial" else "previous output"
            notice(f"removed {path.name} ({what} left by an interrupted run, PID {pid})")


@contextlib.contextmanager
def output_lock(target: Path, notice):
    """Exclusive lock for writing ``target``: ``.NAME.lock`` beside it, removed by its holder."""
    lock = target.parent / f".{target.name}.lock"
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    waited = False
    while True:
        try:
            fd = os.open(lock, flags if fcntl else flags | os.O_EXCL, 0o644)
        except FileExistsError:  # pragma: no cover - Windows only
            raise OutputError(
                f"{target}: another sim run is writing it (lock {lock}; remove the lock if no "
                "run is active)"
            ) from None
        except OSError as exc:
            raise OutputError(
                f"{target.parent}: cannot write in the output folder ({exc.strerror})"
            ) from None
        if fcntl is None:  # pragma: no cover
            break
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not waited:
                    notice(f"waiting for another sim run to finish writing {target}")
                    waited = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:  # the previous holder may have removed the file we waited on: lock the new one
                current = os.stat(lock, follow_symlinks=False)
                held = os.fstat(fd)
                same = (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _discard(writer, tmp: Path) -> None:
    """After a failure: stop the data-file writer (if any) first, then remove the new folder."""
    if writer is not None:
        writer.stop()
    shutil.rmtree(tmp, ignore_errors=True)


class DataWriter:
    """The data files of ``results`` written into ``folder`` by a forked child process, so that
    they are done while the parent draws the figures (on two or more cores the data files then
    cost no wall time). :meth:`finish` waits for the child and raises in the parent what the
    child raised (an interruption of the child as :class:`~sim.interrupts.Interrupted`);
    :meth:`stop` ends the child (SIGTERM, which it takes like Ctrl-C: its half-written file is
    removed) and waits for it, so nothing writes into the folder after it returns.

    The child never returns into the caller's code: whatever happens it leaves by ``os._exit``
    (it must not run the parent's clean-up, which removes the folder and the lock).
    """

    #: seconds :meth:`stop` waits for the child after SIGTERM before SIGKILL
    STOP_WAIT_S = 10.0

    @staticmethod
    def possible() -> bool:
        return hasattr(os, "fork") and hasattr(signal, "pthread_sigmask")

    def __init__(self, results, folder: Path):
        from .ahead import fork_with_pipe

        pid, read_fd = fork_with_pipe(lambda write_fd: _child_writes(results, folder, write_fd))
        self.pid: int | None = pid
        self.read_fd: int | None = read_fd

    def _collect(self, flags: int = 0):
        """Reap the child: its (pid, status), or None when still running (``WNOHANG``)."""
        pid, status = os.waitpid(self.pid, flags)
        if pid == 0:
            return None
        self.pid = None
        return status

    def _close(self) -> None:
        if self.read_fd is not None:
            os.close(self.read_fd)
            self.read_fd = None

    def finish(self) -> None:
        """Wait for the child; raise what it raised."""
        import pickle

        chunks = []
        while chunk := os.read(self.read_fd, 1 << 16):
            chunks.append(chunk)
        self._close()
        status = self._collect()
        data = b"".join(chunks)
        if not data:
            raise OutputError(
                "the data files were not written: their writer process ended "
                f"({_status_text(status)}) without saying why"
            )
        outcome = pickle.loads(data)
        if outcome is not None:
            raise outcome

    def stop(self) -> None:
        """End the child if it still runs, and wait until it has."""
        import time

        self._close()
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.STOP_WAIT_S
        while self._collect(os.WNOHANG) is None:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self._collect()
                return
            time.sleep(0.01)


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _child_writes(results, folder: Path, write_fd: int) -> int:
    """In the forked child: write the data files, send back None or the exception (pickled)."""
    import pickle

    from .export.results import write_data_files
    from .interrupts import SIGNALS

    try:
        write_data_files(results, folder)
        outcome, code = None, 0
    except BaseException as exc:  # everything goes back to the parent, nothing escapes here
        outcome, code = exc, 1
    # from here on a signal must not raise into code that is not ours: hold them all
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        data = pickle.dumps(outcome)
        pickle.loads(data)
    except Exception:  # an exception that does not survive pickling: its text then
        data = pickle.dumps(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
    if outcome is not None and not isinstance(outcome, SimError | OSError | KeyboardInterrupt):
        import traceback

        text = "".join(traceback.format_exception(outcome))
        with contextlib.suppress(Exception):
            err = pickle.loads(data)
            err.add_note(f"raised in the data-file writer process:\n{text}")
            data = pickle.dumps(err)
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(data)
    return code


def _stderr_notice(text: str) -> None:
    print(f"sim: note: {text}", file=sys.stderr)


def write_results(
    results: Results,
    out_dir,
    *,
    fmt: str = "png",
    dpi: int = 110,
    plots: bool = True,
    progress=None,
    notice=None,
) -> Path:
    """Write the output folder (see the module's description for the guarantees). ``notice``
    receives one-line messages about leftovers cleaned up or a wait for another run (default:
    printed on stderr). Returns the folder written."""
    from .export.results import write_data_files
    from .plots.render import plot_stage_count, write_plots

    notice = notice or _stderr_notice
    out_dir = Path(out_dir)
    target = check_output_folder(out_dir)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create the output folder ({exc.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{parent}: the output folder is not writable")
    with output_lock(target, notice):
        recover(target, str(out_dir), notice)
        target = check_output_folder(out_dir)  # again, now that no other run can change it
        existed = os.path.lexists(target)
        kept = "previous results were left as they were" if existed else "nothing was kept"
        tmp = parent / f".{target.name}.partial-{os.getpid()}"
        old = parent / f".{target.name}.old-{os.getpid()}"
        try:
            tmp.mkdir()
        except OSError as exc:
            raise OutputError(
                f"{parent}: cannot write in the output folder ({exc.strerror})"
            ) from None
        writer = None
        try:
            if plots and plot_stage_count(results) and DataWriter.possible():
                # the data files are written by a forked process while the figures are drawn;
                # the objects that exist now are frozen for the processes forked meanwhile (the
                # writer, the picture workers), whose garbage collections then never walk, and
                # copy page by page, what they inherited (gc.freeze)
                import gc

                gc.freeze()
                try:
                    writer = DataWriter(results, tmp)
                    write_plots(results, tmp, fmt, dpi, progress)
                    writer.finish()
                finally:
                    gc.unfreeze()
            else:
                write_data_files(results, tmp)
                if plots:
                    write_plots(results, tmp, fmt, dpi, progress)
            with atomic_writer(tmp / MARKER) as f:
                json.dump(
                    {
                        "written_by": "sim",
                        "version": _sim_version(),
                        "scenario": str(results.scenario.path),
                        "written_utc": datetime.now(UTC).isoformat(timespec="seconds"),
                        "note": "sim replaces this folder on its next run into it; "
                        "files of your own here would be lost: keep them elsewhere",
                    },
                    f,
                    indent=1,
                )
                f.write("\n")
            check()  # an interruption whose exception was lost on the way: not swapped in
            with held():
                if existed:
                    os.replace(target, old)
                try:
                    os.replace(tmp, target)
                except OSError:
                    if existed:
                        os.replace(old, target)
                    raise
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            with held():
                _discard(writer, tmp)
            raise OutputError(f"{out_dir}: writing failed ({exc.strerror}); {kept}") from None
        except SimError as exc:
            with held():
                _discard(writer, tmp)
            reason = str(exc).splitlines()[0].replace(str(tmp), str(out_dir))
            raise OutputError(f"{reason}; {kept}") from None
        except BaseException:
            with held():
                _discard(writer, tmp)
            raise
    return out_dir
