"""Work done ahead in a forked child process while the caller goes on with other work.

:class:`Ahead` forks; the child computes ``function()`` and sends back, pickled, its value or
the exception it raised (with the progress messages it would have shown); :meth:`Ahead.result`
waits for it and returns the value or raises the exception in the caller's process, as if the
call had been made there. :meth:`Ahead.stop` ends a child whose result is no longer wanted
(after an error or an interruption of the caller) and waits for it, so that none outlives the
caller. Where forking does not help (:func:`worth_forking`: no ``fork``, one core,
``SIM_WORKERS=1``) the function runs in the caller, when the result is asked for.

Forked, the child holds the caller's memory as it was (the same inputs, the same code), so the
value is the one the caller would have computed. The child never returns into the caller's code:
it always leaves by ``os._exit``.
"""

from __future__ import annotations

import contextlib
import os
import signal


def _dumps(outcome) -> bytes:
    """``outcome`` pickled; an exception that does not survive pickling as its text."""
    import pickle

    try:
        data = pickle.dumps(outcome)
        pickle.loads(data)
    except Exception:
        kind, value = outcome
        if kind != "raised":
            value = RuntimeError(f"the result of the work done ahead cannot be pickled: {value!r}")
        data = pickle.dumps(("raised", RuntimeError(f"{type(value).__name__}: {value}")))
    return data


def worth_forking() -> bool:
    """Whether a child can compute alongside: ``fork`` exists, two or more cores are available,
    ``SIM_WORKERS`` (the cap on sim's processes) is not 1, and this is not itself a worker of
    :mod:`sim.parallel` (which never forks again)."""
    from . import parallel

    if not (hasattr(os, "fork") and hasattr(signal, "pthread_sigmask")):
        return False
    if getattr(parallel, "_in_worker", False) or parallel.available_cores() < 2:
        return False
    return parallel.env_workers() != 1


def fork_with_pipe(child) -> tuple[int, int]:
    """Fork; the child runs ``child(write_fd)`` and leaves by ``os._exit`` with its return
    value (70, EX_SOFTWARE, if it raised); the caller gets ``(pid, read_fd)``."""
    import warnings

    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns when a thread (a progress bar) runs
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        code = 70
        try:
            os.close(read_fd)
            code = child(write_fd)
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


class Ahead:
    """``function(progress)`` computed in a forked child; ``progress(text)`` calls the child
    makes are kept and passed to the ``progress`` of :meth:`result`."""

    #: seconds :meth:`stop` waits for the child after SIGTERM before SIGKILL
    STOP_WAIT_S = 10.0

    def __init__(self, function):
        self.function = function
        self.pid: int | None = None
        self.read_fd: int | None = None
        if not worth_forking():
            return  # computed in :meth:`result`
        self.pid, self.read_fd = fork_with_pipe(self._child)

    def _child(self, write_fd: int) -> int:
        from .interrupts import SIGNALS

        said: list[str] = []
        try:
            outcome, code = ("value", (self.function(said.append), said)), 0
        except BaseException as exc:  # everything goes back to the caller, nothing escapes
            outcome, code = ("raised", exc), 1
            if not isinstance(exc, KeyboardInterrupt):  # where it happened, for a bug report
                import traceback

                with contextlib.suppress(Exception):
                    text = "".join(traceback.format_exception(exc))
                    exc.add_note(f"raised in a child process (sim.ahead):\n{text}")
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)  # no signal into code not ours now
        data = _dumps(outcome)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        return code

    def result(self, progress=None):
        """The function's value (or its exception raised here), once the child is done."""
        import pickle

        if self.read_fd is None and self.pid is None:  # no fork: computed here
            return self.function(progress or (lambda text: None))
        chunks = []
        while chunk := os.read(self.read_fd, 1 << 16):
            chunks.append(chunk)
        os.close(self.read_fd)
        self.read_fd = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not chunks:
            from .errors import SimError

            how = (
                f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
                if os.WIFSIGNALED(status)
                else f"exit status {os.WEXITSTATUS(status)}"
            )
            raise SimError(f"the work done ahead in a child process ended ({how}) without a result")
        kind, value = pickle.loads(b"".join(chunks))
        if kind == "raised":
            raise value
        value, said = value
        if progress is not None:
            for text in said:
                progress(text)
        return value

    def stop(self) -> None:
        """End the child if it still runs, and wait until it has (idempotent)."""
        import time

        if self.read_fd is not None:
            os.close(self.read_fd)
            self.read_fd = None
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.STOP_WAIT_S
        while os.waitpid(self.pid, os.WNOHANG)[0] == 0:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.01)
        self.pid = None
