"""Write files so that a reader never sees a half-written one, and never replace what is not a
regular file.

Every file sim writes (data files, exports, pictures, animations) goes through
:func:`atomic_path`: the bytes go to a hidden temporary file beside the target, which replaces
the target only when complete. A full disk or an interruption leaves the old file intact. The
target must be a regular file or not exist yet: a folder, a device, a FIFO or a socket is
refused with an :class:`~sim.errors.OutputError`. A symbolic link to a regular file is written
through (the link stays a link). ``-`` means standard output for writers that stream text or
bytes (:func:`atomic_writer`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from pathlib import Path

from ..errors import OutputError
from ..interrupts import check

STDOUT = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_kind(mode: int) -> str:
    """'a folder', 'a character device', ... for an ``st_mode``."""
    for test, text in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a regular file"),
    ):
        if test(mode):
            return text
    return "a special file"


def is_stdout(path) -> bool:
    return str(path) == STDOUT


def output_file(path) -> tuple[Path, os.stat_result | None]:
    """The regular file that writing ``path`` replaces (``path`` itself, or the file a symbolic
    link points at) and its current status (None when it does not exist yet). Raises
    ``OutputError`` for a folder, a special file, or a missing folder."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        status = os.stat(target)
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        link = f" (a symbolic link to {target})" if target != path else ""
        raise OutputError(
            f"{path}{link} is {file_kind(status.st_mode)}, not a regular file; "
            "refusing to replace it"
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist")
    return target, status


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path`` (same extension); rename it to ``path`` only on
    success. For writers that open the file themselves."""
    if is_stdout(path):
        raise OutputError("-: this output cannot go to standard output; give a file name")
    check()  # an interruption whose exception was lost on the way stops here
    path = Path(path)
    target, status = output_file(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=f".part{target.suffix}", dir=folder
        )
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    try:
        yield tmp
        # mkstemp makes 0600: keep the mode of the file replaced, else the usual permissions
        mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        output_file(path)  # still ours to replace: nobody swapped in a folder or a device
        check()
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(
            f"{path}: writing failed ({exc.strerror}); the previous file was left as it was"
            if status is not None
            else f"{path}: writing failed ({exc.strerror})"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_writer(path, mode: str = "w", newline: str | None = "\n"):
    """Open a temporary file next to ``path``; rename it to ``path`` only on success.
    ``path`` ``-`` streams to standard output (UTF-8 text, whatever the console's encoding)."""
    if is_stdout(path):
        sys.stdout.flush()
        raw = getattr(sys.stdout, "buffer", None)
        if "b" in mode:
            yield raw if raw is not None else sys.stdout
        elif raw is None:
            yield sys.stdout
        else:
            handle = io.TextIOWrapper(raw, encoding="utf-8", newline=newline, write_through=True)
            try:
                yield handle
            finally:
                handle.flush()
                handle.detach()
        return
    with atomic_path(path) as tmp:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": newline}
        with open(tmp, mode, **kwargs) as handle:
            yield handle


def output_folder(path) -> Path:
    """``path`` as a folder to write files into: made when missing (with its parents); an
    ``OutputError`` when it is a file or a special file."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be used as a folder ({exc.strerror})") from None
    if mode is not None and not stat.S_ISDIR(mode):
        raise OutputError(f"{path} is {file_kind(mode)}, not a folder; refusing to write into it")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder ({exc.strerror})") from None
    return path
