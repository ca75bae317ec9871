"""Database access for checks: engines on psycopg 3, with errors that say what went wrong.

Engines use ``pool_pre_ping`` so a database restart or a dropped connection mid-run costs
one reconnect, not every later check (the stale-connection failure of DESIGN §1).
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from harness.errors import DatabaseUnreachable
from harness.secrets import mask_url, redact
from harness.urls import normalise_database_url


def make_engine(url: str, *, connect_timeout_s: int = 10) -> Engine:
    """A small pool on the harness's own driver, whatever dialect ``url`` was pasted in."""
    return create_engine(
        normalise_database_url(url),
        pool_pre_ping=True,
        pool_recycle=300,
        pool_size=2,
        max_overflow=4,
        connect_args={"connect_timeout": connect_timeout_s, "application_name": "staging-harness"},
    )


def ensure_reachable(engine: Engine) -> str:
    """Connect once and return the server version; ``DatabaseUnreachable`` with one clear
    reason (refused, wrong password, unknown database, timeout) otherwise."""
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    except (OperationalError, DBAPIError) as exc:
        raise database_unreachable(engine, exc) from None


def database_unreachable(engine: Engine, exc: Exception) -> DatabaseUnreachable:
    where = mask_url(engine.url.render_as_string(hide_password=False))
    reason = _reason(str(getattr(exc, "orig", exc)))
    return DatabaseUnreachable(redact(f"database {where}: {reason}."), hint=_hint(reason))


def _reason(message: str) -> str:
    lowered = message.lower()
    if "password authentication failed" in lowered:
        user = _between(message, 'for user "', '"')
        return f"password authentication failed for user {user!r}"
    if "does not exist" in lowered and "database" in lowered:
        return "the database does not exist"
    if "connection refused" in lowered:
        return "connection refused"
    if "timeout" in lowered or "timed out" in lowered:
        return "connection timed out"
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return first[:300]


def _hint(reason: str) -> str:
    if reason.startswith("password"):
        return "check the password in database_url (or the env var it comes from)"
    if "does not exist" in reason:
        return "check the database name at the end of database_url"
    return "check that the database is up and that host and port in database_url are right"


def _between(text: str, start: str, end: str) -> str:
    head, _, rest = text.partition(start)
    return rest.partition(end)[0] if rest else "?"


def database_name(url: str) -> str:
    return make_url(normalise_database_url(url)).database or "?"
