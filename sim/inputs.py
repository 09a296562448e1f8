"""Reading input files safely: regular files only, of bounded size, without a UTF-8 BOM.

A FIFO would block ``open`` for ever and ``/dev/zero`` would fill the memory, so the file is
checked with ``stat`` before it is opened (and again with ``fstat`` on the open descriptor,
opened non-blocking), and at most ``max_bytes + 1`` bytes are ever read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import SimError

UTF8_BOM = "\ufeff"

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular_file(
    path, max_bytes: int, what: str = "file", error: type[SimError] = SimError, hint: str = ""
) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``max_bytes`` bytes.

    Every refusal raises ``error`` with one line ``PATH: problem``; ``what`` names the kind of
    file in the messages ("scenario file", "element-set file"); ``hint`` follows a refusal for
    size ("split it ...").
    """
    path = Path(path)
    a_what = f"{'an' if what[:1] in 'aeiou' else 'a'} {what}"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{path}: is {_kind(st.st_mode)}; {a_what} must be a regular file") from None
    if st.st_size > max_bytes:
        raise error(
            f"{path}: {st.st_size:,} bytes, more than the {max_bytes:,} allowed for {a_what}" + hint
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)  # the file may have been swapped since the stat above
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{path}: is {_kind(st.st_mode)}; {a_what} must be a regular file")
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise error(f"{path}: more than the {max_bytes:,} bytes allowed for {a_what}" + hint)
    return b"".join(chunks)


def decode_text(data: bytes, source: str, error: type[SimError] = SimError) -> str:
    """UTF-8 text without a leading byte-order mark (editors on Windows write one)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{source}: is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    return text[1:] if text.startswith(UTF8_BOM) else text
