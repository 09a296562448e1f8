"""Interruptions that are never lost: SIGTERM and SIGHUP handled like Ctrl-C.

Python runs a signal handler between two bytecodes of the main thread, and an exception the
handler raises can be swallowed when those bytecodes run inside a callback whose caller clears
errors (``hasattr`` on an object with ``__getattr__``, some C extensions). So the handler also
records the signal, and the writers call :func:`check` at their checkpoints (before every file,
before the folder swap): a swallowed interruption is raised again there. :func:`held` holds
signals back during the few renames that must happen together.
"""

from __future__ import annotations

import contextlib
import signal
import threading

#: the signals that interrupt a run, where the platform has them
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_pending: list[int] = []


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP: unwind like Ctrl-C; the exit status is 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame):
    _pending.append(signum)
    raise Interrupted(signum)


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived whose exception may have been lost."""
    if _pending:
        raise Interrupted(_pending[0])


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def like_ctrl_c():
    """For the command line: SIGINT, SIGTERM (kill, systemd, CI runners) and SIGHUP (a closed
    terminal) raise :class:`Interrupted` and are remembered until the block ends."""
    previous = {}
    if _main_thread():
        for sig in SIGNALS:
            if signal.getsignal(sig) is not None:  # None: a handler not set from Python
                previous[sig] = signal.signal(sig, _interrupt)
    _pending.clear()
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _pending.clear()


@contextlib.contextmanager
def held():
    """Hold SIGINT, SIGTERM and SIGHUP back until the block is done, then deliver them to the
    handlers in force before. Only the main thread receives signals in Python; elsewhere this
    does nothing."""
    if not _main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for sig in SIGNALS:
        if signal.getsignal(sig) is not None:
            previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)
