"""The harness's two kinds of engine on a target's database: reading and writing.

A reading engine (``make_engine``) is read-only at the server, not by convention: each of
its sessions starts with ``default_transaction_read_only = on`` (a startup option), so an
INSERT, a CREATE TABLE or a DROP sent through it fails with PostgreSQL's "cannot execute …
in a read-only transaction", in autocommit too, whatever a check's (or a declared flow's)
SQL says. A pooler that refuses startup options (PgBouncer, a pooled Neon endpoint:
"unsupported startup parameter") gets the same per transaction instead: psycopg then opens
each one with ``BEGIN READ ONLY``.

What has to write — the throwaway ``hv_`` schemas and databases, the rehearsal's copy, a
flow's cleanup of its own tagged rows, the janitor's sweeps, db-reconnect's
``pg_terminate_backend`` — gets an engine from ``make_writer``, whose name says so at every
call site, and records each write (``harness.transport.writes``) for the report.

Engines use ``pool_pre_ping`` so a database restart or a dropped connection mid-run costs
one reconnect, not every later check (the stale-connection failure of DESIGN §1).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from harness.config.urls import normalise_database_url

# Every session of the harness carries it: db-reconnect never cuts one, a DBA can tell them.
APP_NAME = "staging-harness"
READ_ONLY_OPTION = "-c default_transaction_read_only=on"


def make_engine(url: str, *, connect_timeout_s: int = 10, pooled: bool = True) -> Engine:
    """A reading engine: read-only at the server, whatever dialect ``url`` was pasted in.
    ``pooled=False``: one connection per ``connect()``, held as long as the caller keeps it."""
    engine = _engine(url, connect_timeout_s, pooled, options=READ_ONLY_OPTION)
    event.listen(engine, "do_connect", _read_only_without_options)
    return engine


def make_writer(url: str, *, connect_timeout_s: int = 10) -> Engine:
    """The only kind of engine that may write; every write through it is recorded."""
    return _engine(url, connect_timeout_s, True, options=None)


def _engine(url: str, connect_timeout_s: int, pooled: bool, *, options: str | None) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": connect_timeout_s, "application_name": APP_NAME}
    if options:
        connect_args["options"] = options
    sizing: dict[str, Any] = {"pool_size": 2, "max_overflow": 4, "pool_recycle": 300}
    if not pooled:  # a connection held for hours: keep it alive through NATs and load balancers
        sizing = {"poolclass": NullPool}
        connect_args.update(keepalives=1, keepalives_idle=60, keepalives_interval=10, keepalives_count=6)
    return create_engine(
        normalise_database_url(url), pool_pre_ping=True, connect_args=connect_args, **sizing
    )


def _read_only_without_options(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """Connect with the read-only startup option; where a pooler refuses startup options,
    without it, and have psycopg begin every transaction READ ONLY instead."""
    try:
        return dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.OperationalError as exc:
        if "unsupported startup parameter" not in str(exc):
            raise
    connection = dialect.connect(*cargs, **{k: v for k, v in cparams.items() if k != "options"})
    connection.read_only = True
    return connection


def is_read_only(engine: Engine) -> bool:
    """Whether ``engine`` was made by ``make_engine`` (for guards and tests)."""
    return event.contains(engine, "do_connect", _read_only_without_options)
