"""Remember that the run was told to stop, whatever became of the KeyboardInterrupt.

Ctrl-C raises KeyboardInterrupt wherever the main thread is; a library that catches it (a
database driver cancelling its query, a ``except BaseException`` in app-side helpers) can
swallow it, and the run then finished and exited 0 as if nobody had asked it to stop. The
handler here records the signal first, so the exit code can never be 0 after one (SIGTERM,
which CI sends to cancel a job, takes the same path as Ctrl-C).

While the run cleans up (a test's teardown, the session's finish: a flow removing its rows,
the stack stopping, the report being written) a signal is recorded but not raised: an
exception there would skip the rest of the cleanup and the report. A second signal during the
same cleanup is the person insisting: that one is raised.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_received: list[int] = []
_held: list[int] = []  # the signals that arrived during the current cleanup
_holding = threading.Event()


def _say_held(signum: int) -> None:
    # From the signal handler: a plain write, no terminal reporter (it may be mid-line).
    sys.stderr.write(
        f"\nharness: signal {signum} received during cleanup: finishing the cleanup and the report "
        "first (send it again to stop at once)\n"
    )


_on_held: list[Callable[[int], None]] = [_say_held]


def install() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)
        if signum == signal.SIGTERM and previous is not signal.SIG_DFL:
            continue  # someone else (a CI wrapper, xdist) handles SIGTERM: leave it to them
        if signum == signal.SIGINT and previous is not signal.default_int_handler:
            continue  # ignored (a background shell) or already handled
        signal.signal(signum, _interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    _received.append(signum)
    if _holding.is_set() and not _held:
        _held.append(signum)
        for tell in _on_held:
            tell(signum)
        return
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def holding() -> Iterator[None]:
    """Cleanup inside: the first signal waits for its end (see the module's docstring)."""
    if _holding.is_set():  # nested (a teardown inside the session's finish)
        yield
        return
    _held.clear()
    _holding.set()
    try:
        yield
    finally:
        _holding.clear()
        _held.clear()


def received() -> int | None:
    """The first stop signal this process got, or None."""
    return _received[0] if _received else None


def forget() -> None:
    """For tests in one process."""
    _on_held[:] = [_say_held]
    _received.clear()
    _held.clear()
    _holding.clear()
