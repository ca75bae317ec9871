"""Database access for checks: engines on psycopg 3, with errors that say what went wrong.

``make_engine`` (read-only at the server) and ``make_writer`` live in
``harness.transport.engines``; they are imported here, where most callers look for them.

Also here: the throwaway schemas (``hv_<run id>_<worker>``) and replay databases the
database checks work in, and ``sweep_schemas``, the janitor's sweeper for them.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from harness.errors import DB_RESTARTING, ConfigError, DatabaseUnreachable
from harness.messages.core import msg
from harness.secrets import mask_url, redact
from harness.transport import writes
from harness.transport.engines import make_engine as make_engine  # re-exported
from harness.transport.engines import make_writer as make_writer
from harness.transport.liveness import why_sweep

if TYPE_CHECKING:
    from harness.config.targets import Target


def ensure_reachable(engine: Engine) -> str:
    """Connect once and return the server version; ``DatabaseUnreachable`` with one clear
    reason (refused, wrong password, unknown database, timeout) otherwise."""
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    except (OperationalError, DBAPIError) as exc:
        raise database_unreachable(engine, exc) from None


def database_unreachable(engine: Engine, exc: Exception) -> DatabaseUnreachable | ConfigError:
    """Down, refused or restarting is ``DatabaseUnreachable`` (blocked: a retry may help); a
    wrong password or an unknown database or role is ``ConfigError`` (exit 4: a person must
    change database_url, retrying will not)."""
    where = mask_url(engine.url.render_as_string(hide_password=False))
    reason = _reason(str(getattr(exc, "orig", exc)))
    kind = ConfigError if reason.startswith("password") or "does not exist" in reason else DatabaseUnreachable
    error = kind(msg("db.unreachable", where=redact(where or ""), reason=reason), hint=_hint(reason))
    # PostgreSQL's own words while it starts or stops: a restart, not a database that is away.
    if isinstance(error, DatabaseUnreachable) and any(w in reason for w in ("starting up", "shutting down", "recovery mode")):
        error.cause = DB_RESTARTING
    return error


def _reason(message: str) -> str:
    lowered = message.lower()
    if "password authentication failed" in lowered:
        user = _between(message, 'for user "', '"')
        return msg("db.password", user=repr(user))
    if "does not exist" in lowered and "database" in lowered:
        return msg("db.no_database")
    if "does not exist" in lowered and "role" in lowered:
        role = _between(message, 'role "', '"')
        return msg("db.no_role", role=repr(role))
    if "connection refused" in lowered:
        return msg("db.refused")
    if "timeout" in lowered or "timed out" in lowered:
        return msg("db.timed_out")
    if not message.strip():
        return msg("db.unknown_error")
    return msg("db.other", text=redact(message.strip().splitlines()[0][:300]))


def _hint(reason: str) -> str:
    if reason.startswith("password"):
        return msg("db.check_password")
    if "role" in reason:
        return msg("db.check_user")
    if "does not exist" in reason:
        return msg("db.check_name")
    return msg("db.check_up")


def _between(text: str, start: str, end: str) -> str:
    _, _, rest = text.partition(start)
    return rest.partition(end)[0] if rest else "?"


# ---------------------------------------------------------------- throwaway schemas & databases
#
# Everything the harness creates in a target's database is named ``hv_<run id>_<worker>``
# (a schema) or ``hv_<run id>_<worker>_<epoch>_<replay|rehearsal>`` (a database for the
# schema-drift replay or the migration rehearsal's copy) and carries a comment
# "staging-harness run=… host=… created=…". The janitor drops only objects with both the
# prefix and a parseable comment (or a dated name), and only once they are older than the
# TTL, judged by the database server's clock (so a skewed CI runner clock cannot make it
# eager). CREATE DATABASE cannot share a transaction with its COMMENT, so a run killed between
# the two leaves a bare database: its name alone (run id + server epoch) then dates it.

PREFIX = "hv_"
COMMENT_TAG = "staging-harness"
_COMMENT = re.compile(rf"^{COMMENT_TAG} run=(\S+) host=(\S*) created=(\S+)$")
DATED_KINDS = ("replay", "rehearsal")
_DATED_NAME = re.compile(rf"^{PREFIX}([a-z0-9]+)_[a-z0-9_]*?_(\d{{10}})_({'|'.join(DATED_KINDS)})$")


def throwaway_name(run_id: str, worker: str, suffix: str = "") -> str:
    """``hv_<run id>_<worker>[_suffix]``, lowercased and safe as an unquoted identifier."""
    raw = f"{PREFIX}{run_id}_{worker}" + (f"_{suffix}" if suffix else "")
    name = re.sub(r"[^a-z0-9_]", "_", raw.lower())
    if len(name) > 63:
        raise ValueError(f"throwaway name {name!r} is longer than PostgreSQL's 63 characters")
    return name


def dated_database_name(engine: Engine, run_id: str, worker: str, kind: str) -> str:
    """``hv_<run id>_<worker>_<server epoch>_<kind>``: dated by name, so the janitor finds it
    even without its comment."""
    if kind not in DATED_KINDS:
        raise ValueError(f"unknown throwaway database kind {kind!r}; known: {DATED_KINDS}")
    with engine.connect() as connection:
        epoch = int(connection.execute(text("SELECT extract(epoch FROM now())")).scalar_one())
    return throwaway_name(run_id, worker, f"{epoch}_{kind}")



def tag_from_name(name: str) -> dict[str, Any] | None:
    """The tag a dated database's name carries (run id, creation time), else ``None``."""
    match = _DATED_NAME.match(name)
    if not match:
        return None
    created = datetime.fromtimestamp(int(match.group(2)), UTC)
    return {"run": match.group(1), "host": "?", "created": created}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def tag_comment(connection: Connection, run_id: str) -> str:
    """The comment text, with the creation time taken from the server's clock."""
    created = connection.execute(text("SELECT now()")).scalar_one()
    host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "unknown"
    return f"{COMMENT_TAG} run={run_id} host={host} created={created.isoformat()}"


def parse_comment(comment: str | None) -> dict[str, Any] | None:
    """``{"run", "host", "created"}`` from a harness comment, ``None`` for anything else."""
    match = _COMMENT.match(comment or "")
    if not match:
        return None
    try:
        created = datetime.fromisoformat(match.group(3))
    except ValueError:
        return None
    if created.tzinfo is None:
        return None
    return {"run": match.group(1), "host": match.group(2), "created": created}


def create_schema(engine: Engine, name: str, run_id: str) -> None:
    """Create the throwaway schema and tag it for the janitor, in one transaction."""
    with engine.begin() as connection:
        comment = tag_comment(connection, run_id)
        connection.execute(text(f"CREATE SCHEMA {quote_ident(name)}"))
        connection.execute(text(f"COMMENT ON SCHEMA {quote_ident(name)} IS {_literal(comment)}"))
    writes.record(engine, "create schema", name)


def drop_schema(engine: Engine, name: str, purpose: str = "") -> None:
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE"))
    writes.record(engine, "drop schema", name, purpose=purpose)


def create_database(engine: Engine, name: str, run_id: str) -> None:
    """CREATE DATABASE cannot run in a transaction block: autocommit, then tag it."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        comment = tag_comment(connection, run_id)
        connection.execute(text(f"CREATE DATABASE {quote_ident(name)}"))
        connection.execute(text(f"COMMENT ON DATABASE {quote_ident(name)} IS {_literal(comment)}"))
    writes.record(engine, "create database", name)


def drop_database(engine: Engine, name: str, purpose: str = "") -> None:
    """``WITH (FORCE)`` (PostgreSQL 13+) ends sessions a killed replay may have left."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)"))
    writes.record(engine, "drop database", name, purpose=purpose)


def database_url_for(engine: Engine, database: str) -> str:
    """The engine's URL pointing at another database on the same server (password kept)."""
    return engine.url.set(database=database).render_as_string(hide_password=False)


def harness_objects(engine: Engine, prefix: str = PREFIX) -> list[dict[str, Any]]:
    """Schemas and databases whose name starts with ``prefix``, with their parsed tags."""
    query = text(
        "SELECT 'schema' AS kind, nspname AS name, obj_description(oid, 'pg_namespace') AS comment"
        " FROM pg_namespace WHERE starts_with(nspname, :prefix)"
        " UNION ALL SELECT 'database', datname, shobj_description(oid, 'pg_database')"
        " FROM pg_database WHERE starts_with(datname, :prefix) ORDER BY 2"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"prefix": prefix}).mappings().all()
    return [{**row, "tag": _tag(row)} for row in rows]


def _tag(row: Any) -> dict[str, Any] | None:
    """The comment's tag; for a database without one, the tag its replay name carries."""
    tag = parse_comment(row["comment"])
    if tag is None and row["kind"] == "database":
        tag = tag_from_name(row["name"])
    return tag


def sweep_schemas(
    engine: Engine, ttl_s: float, target: Target | None = None, dead: Callable[[str], bool] | None = None
) -> list[str]:
    """Janitor sweeper: drop tagged ``hv_`` schemas and throwaway databases whose run is dead
    (``dead``, see harness.transport.liveness) or, for a run that cannot be asked, older than
    ``ttl_s``. An ``hv_`` object without the harness's comment is not provably ours: left alone.
    """
    with engine.connect() as connection:
        now = connection.execute(text("SELECT now()")).scalar_one()
    removed = []
    for obj in harness_objects(engine):
        tag = obj["tag"]
        why = tag and why_sweep(tag["run"], tag["created"], now, ttl_s, dead)
        if not why:
            continue
        (drop_schema if obj["kind"] == "schema" else drop_database)(engine, obj["name"], f"janitor: {why}")
        removed.append(f"{obj['kind']} {obj['name']} (run {tag['run']} on {tag['host']}, "
                       f"created {tag['created']:%Y-%m-%d %H:%M:%S%z}; {why})")  # fmt: skip
    return removed


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Inside a check: a lost connection or a refused login means "could not look" (blocked),
    not "failed". SQL errors of the target's own making pass through unchanged."""
    try:
        yield
    except OperationalError as exc:
        raise database_unreachable(engine, exc) from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise database_unreachable(engine, exc) from None
        raise


def may_create_databases(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )).scalar())  # fmt: skip


def existing(engine: Engine, names: list[str]) -> list[str]:
    """Which of ``names`` exist as a schema or a database, as ``"schema x"`` / ``"database x"``."""
    query = text(
        "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = ANY(:names)"
        " UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datname = ANY(:names)"
    )
    with engine.connect() as connection:
        return sorted(connection.execute(query, {"names": names}).scalars())
