"""Was the database restarting? — so a restart mid-run is "could not look", not a failure.

A PostgreSQL restart shows up far from the database: the app answers 500 while its pool
reconnects, a check's query dies with "terminating connection due to administrator
command". The server's own start time (``pg_postmaster_start_time()``) tells a restart apart
from a product failure: if it moved while a check ran, or the server did not answer, the
check could not judge the product.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from harness.transport.db import make_engine


def server_started(engine: Engine) -> datetime | None:
    """The server's start time, ``None`` when it does not answer (down, starting, refusing)."""
    try:
        with engine.connect() as connection:
            started: datetime = connection.execute(text("SELECT pg_postmaster_start_time()")).scalar_one()
            return started
    except (SQLAlchemyError, OSError):
        return None


@dataclass
class RestartWatch:
    """``mark()`` before a check, ``explain()`` after it went wrong: a reason when the
    database restarted or was down meanwhile, ``None`` when it stayed up throughout.

    A watch that never saw the server up explains nothing: a database unreachable from the
    start is its own (blocked) finding, and must not turn HTTP failures into "blocked"."""

    engine: Engine
    before: datetime | None = None
    seen_up: bool = False
    disabled: bool = False
    _marked: bool = field(default=False, repr=False)

    @classmethod
    def for_url(cls, url: str, *, known_up: bool = False) -> RestartWatch:
        """``known_up``: the harness started this database itself and saw it up, so even a
        first look that finds it down is a restart, not a database that never was."""
        return cls(make_engine(url, connect_timeout_s=3), seen_up=known_up)

    def mark(self) -> None:
        if self.disabled:
            return
        started = time.monotonic()
        self.before = server_started(self.engine)
        self.seen_up = self.seen_up or self.before is not None
        # Never seen up and the look timed out: a filtered port, not a restart (which is
        # refused at once). Stop asking, or every test would pay the connect timeout.
        self.disabled = not self.seen_up and time.monotonic() - started > 2
        self._marked = not self.disabled

    def explain(self) -> str | None:
        if not self._marked:
            return None
        now = server_started(self.engine)
        if not (self.seen_up or now is not None):
            return None  # never up: unreachable all along, not a restart
        if now is None:
            return "the database server did not answer right after this check went wrong"
        if self.before is None:
            return "the database server was not answering when this check began (restarting?)"
        if now != self.before:
            return (f"the database restarted during this check (server start time "
                    f"{self.before:%H:%M:%S} → {now:%H:%M:%S})")  # fmt: skip
        return None

    def close(self) -> None:
        self.engine.dispose()
