"""Database engine, session factory and URL normalisation.

DATABASE_URL arrives in whatever form the platform hands out (``postgres://``
from Heroku-style providers, ``postgresql+psycopg2://`` from older configs,
...). Everything is normalised to one driver so the app and Alembic agree.
"""
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

ASYNC_DRIVER = "asyncpg"

# Schemes we accept, all of which mean "PostgreSQL".
_POSTGRES_BACKENDS = frozenset({"postgres", "postgresql"})

# Query parameters asyncpg's connect() accepts as plain strings. Anything else
# (libpq-only options such as connect_timeout, application_name, sslrootcert)
# would be passed through as an unexpected keyword and crash the connect.
_ASYNCPG_QUERY_KEYS = frozenset({"ssl", "host", "prepared_statement_cache_size"})


def _split_scheme(url: URL) -> str:
    """Return the backend part of ``drivername`` and check it is PostgreSQL."""
    backend = url.drivername.split("+", 1)[0]
    if backend not in _POSTGRES_BACKENDS:
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got scheme {url.drivername!r}")
    return backend


def _asyncpg_query(query: dict[str, str | tuple[str, ...]]) -> dict[str, str | tuple[str, ...]]:
    """Translate libpq's sslmode to asyncpg's ssl and drop unknown keys."""
    out = {k: v for k, v in query.items() if k in _ASYNCPG_QUERY_KEYS}
    if "sslmode" in query and "ssl" not in out:
        # asyncpg understands the same mode names (disable/prefer/require/...).
        out["ssl"] = query["sslmode"]
    return out


def _libpq_query(query: dict[str, str | tuple[str, ...]]) -> dict[str, str | tuple[str, ...]]:
    """Translate asyncpg's ssl back to libpq's sslmode for sync drivers."""
    out = dict(query)
    if "ssl" in out:
        ssl = out.pop("ssl")
        out.setdefault("sslmode", ssl)
    return out


def normalise_url(url: str | URL, driver: str | None = ASYNC_DRIVER) -> str:
    """Return ``url`` rewritten to ``postgresql+<driver>://`` with fitting query.

    ``driver=None`` gives a plain ``postgresql://`` URL. The password is kept
    (this is a connection string, not a log line).
    """
    parsed = make_url(url) if isinstance(url, str) else url
    _split_scheme(parsed)
    drivername = f"postgresql+{driver}" if driver else "postgresql"
    query = dict(parsed.query)
    query = _asyncpg_query(query) if driver == ASYNC_DRIVER else _libpq_query(query)
    fixed = parsed.set(drivername=drivername, query=query)
    return fixed.render_as_string(hide_password=False)


def create_engine(database_url: str, *, pre_ping: bool = True) -> AsyncEngine:
    """Create the app's async engine.

    pool_pre_ping survives a database restart between requests; pool_recycle
    stops idle connections from being cut by proxies/firewalls after minutes.
    The connect timeout keeps /api/health from hanging when the DB is gone.
    ``pre_ping=False`` is the ``no_pre_ping`` fault: neither safeguard.
    """
    return create_async_engine(
        normalise_url(database_url, ASYNC_DRIVER),
        pool_pre_ping=pre_ping,
        pool_recycle=300 if pre_ping else -1,
        connect_args={"timeout": 5},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: responses are built after commit, and lazy
    # refreshes would need I/O outside the greenlet (MissingGreenlet).
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency yielding one session per request."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        yield session
