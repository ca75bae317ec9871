"""Remember that the run was told to stop, whatever became of the KeyboardInterrupt.

Ctrl-C raises KeyboardInterrupt wherever the main thread is; a library that catches it (a
database driver cancelling its query, a ``except BaseException`` in app-side helpers) can
swallow it, and the run then finished and exited 0 as if nobody had asked it to stop. The
handler here records the signal first, so the exit code can never be 0 after one (SIGTERM,
which CI sends to cancel a job, takes the same path as Ctrl-C).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

_received: list[int] = []


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
    raise KeyboardInterrupt(f"signal {signum}")


def received() -> int | None:
    """The first stop signal this process got, or None."""
    return _received[0] if _received else None


def forget() -> None:
    """For tests in one process."""
    _received.clear()
