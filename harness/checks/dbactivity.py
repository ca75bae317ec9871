"""The app's database sessions as PostgreSQL sees them: did a request make the app touch its
database, and ending the app's idle sessions (db-reconnect).

A request touched the database when, across it, one of the app's sessions started a query
(its ``query_start`` moved) or a new session appeared. ``pg_stat_activity`` is live (a
backend records its query start before running it), unlike the cumulative counters of
``pg_stat_database``, which a backend flushes at most once a second. Each look is its own
transaction: the view is a snapshot per transaction.

The app's sessions are every client backend on the database except the harness's own, which
carry ``application_name = staging-harness`` (harness.transport.db.make_engine).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, text

from harness.transport import writes
from harness.transport.db import database_errors

HARNESS_APP_NAME = "staging-harness"
_SESSIONS = text(
    "SELECT pid, backend_start, query_start, state FROM pg_stat_activity"
    " WHERE datname = current_database() AND backend_type = 'client backend'"
    " AND pid <> pg_backend_pid() AND coalesce(application_name, '') <> :harness"
)
# Decided and done in one statement: a session that turns busy meanwhile is not cut.
_TERMINATE_IDLE = text(
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND backend_type = 'client backend'"
    " AND pid <> pg_backend_pid() AND coalesce(application_name, '') <> :harness"
    " AND state = 'idle'"
)
# How long to wait for the app to finish with its sessions after an answer (a pool's
# reset-on-return ROLLBACK may follow the response), so the next look is not blamed on the
# next request. Bounded: a busy concurrent test keeps sessions active, and that is fine.
SETTLE_S = 2.0
_POLL_S = 0.02


@dataclass(frozen=True)
class Sessions:
    """pid → (backend start, query start, state) of the app's sessions at one moment."""

    rows: dict[int, tuple[object, object, str | None]]

    @property
    def busy(self) -> bool:
        return any(state not in (None, "idle") for _, _, state in self.rows.values())

    @property
    def hidden(self) -> bool:
        """Sessions exist but their activity is not visible to this role (another role's
        sessions without pg_read_all_stats, or track_activities off)."""
        return bool(self.rows) and all(row[1] is None for row in self.rows.values())

    def activity_since(self, before: Sessions) -> bool:
        """A session that is new, or whose query start moved, since ``before``."""
        return any(
            pid not in before.rows or before.rows[pid][:2] != row[:2]
            for pid, row in self.rows.items()
        )


def app_sessions(engine: Engine) -> Sessions:
    with database_errors(engine), engine.connect() as connection:
        found = connection.execute(_SESSIONS, {"harness": HARNESS_APP_NAME}).all()
    return Sessions({row.pid: (row.backend_start, row.query_start, row.state) for row in found})


def settled_sessions(engine: Engine, limit_s: float = SETTLE_S) -> Sessions:
    """The app's sessions once none is busy and two looks agree (or ``limit_s`` is up)."""
    deadline = time.monotonic() + limit_s
    last = app_sessions(engine)
    while time.monotonic() < deadline:
        time.sleep(_POLL_S)
        now = app_sessions(engine)
        if now == last and not now.busy:
            return now
        last = now
    return last


def terminate_idle_app_sessions(engine: Engine) -> int:
    """End every idle session of the app (the pooled ones); how many. A session busy with
    another test's request (under xdist) is left alone: breaking it would be a false finding."""
    settled_sessions(engine)
    with database_errors(engine), engine.connect() as connection:
        ended = connection.execute(_TERMINATE_IDLE, {"harness": HARNESS_APP_NAME}).scalar()
    # A write to someone's database (engine is the writer): listed in the report.
    writes.record(engine, "terminate sessions", "the app's idle sessions", count=int(ended or 0), purpose="db-reconnect")
    return int(ended or 0)
