"""Is the run that owns a tagged object still alive? An advisory lock says, across machines.

Every process of a run that writes to a database (the controller from its start, each xdist
worker from its first write) holds, for as long as it lives, a *shared* session-level
advisory lock on a key derived from the run id (``RunLock``), on a connection of its own.
PostgreSQL releases it when that session ends — also when the process is SIGKILLed or its
machine goes away, since the server then closes the session. A sweeper that can take the key
*exclusively* knows that no process of the run holds it any more: the run is dead, wherever
it ran, and its ``hv_`` schemas and tagged rows may go now instead of after the TTL.

Only run ids that say they hold the lock (``MARK`` at the end, see ``make_run_id``) are
judged so: an id without it comes from a harness that held no lock, and only the TTL may
sweep what it left. A run never judges itself, and a run whose lock connection was cut (a
database restart) looks dead to others until it ends: the one case liveness can misjudge.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from harness.transport.engines import make_engine

MARK = "l"
_MARKED = re.compile(rf"^r\d{{8}}t\d{{6}}[0-9a-f]*{MARK}$")
# The first key of the two-key advisory lock form: "hv", so the app's own locks never meet it.
NAMESPACE = 0x6876
DeadRun = Callable[[str], bool]


def marked(run_id: str) -> bool:
    """Whether the run's processes hold its liveness lock while they write."""
    return bool(_MARKED.match(run_id))


def lock_key(run_id: str) -> int:
    """The run's key: 32 bits of a hash of its id (a collision only makes a dead run look alive)."""
    return int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big", signed=True)


class RunLock:
    """This process's share of its run's liveness lock, on a connection of its own."""

    def __init__(self, url: str, run_id: str) -> None:
        self.run_id = run_id
        self._engine = make_engine(url, connect_timeout_s=5, pooled=False)
        self._connection: Connection | None = None

    def acquire(self) -> None:
        """Blocks only while a sweeper holds the key for its instant of looking."""
        if self._connection is not None:
            return
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:  # an idle-session reaper must not end the run's life signal (PostgreSQL 14+)
            connection.execute(text("SET idle_session_timeout = 0"))
        except DBAPIError:
            pass
        params = {"ns": NAMESPACE, "key": lock_key(self.run_id)}
        connection.execute(text("SELECT pg_advisory_lock_shared(:ns, :key)"), params)
        self._connection = connection

    def release(self) -> None:
        """Closing the session releases the lock."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


class Liveness:
    """The sweeper's side: which runs are dead (cached per run, for one sweep)."""

    def __init__(self, engine: Engine, own_run: str | None = None) -> None:
        self.engine = engine
        self.own_run = own_run
        self._seen: dict[str, bool] = {}

    def dead(self, run_id: str) -> bool:
        if run_id == self.own_run or not marked(run_id):
            return False
        if run_id not in self._seen:
            self._seen[run_id] = self._lock_is_free(run_id)
        return self._seen[run_id]

    def _lock_is_free(self, run_id: str) -> bool:
        params = {"ns": NAMESPACE, "key": lock_key(run_id)}
        with self.engine.connect() as connection:
            free = bool(connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"), params).scalar())
            if free:
                connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), params)
        return free


def why_sweep(run_id: str, created: datetime, now: datetime, ttl_s: float, dead: DeadRun | None) -> str | None:
    """Why a leftover of ``run_id`` may go, else None. A run that holds a liveness lock is
    judged by it alone (alive: kept, whatever its age); the TTL is for the others."""
    if dead is not None and marked(run_id):
        return "its run is dead" if dead(run_id) else None
    if (now - created).total_seconds() >= ttl_s:
        return f"older than {ttl_s:g}s"
    return None
