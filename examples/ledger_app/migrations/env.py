"""Alembic environment for ledger_app.

The URL comes from ``-x url=...`` or LEDGER_DATABASE_URL in any PostgreSQL form
and is normalised to psycopg 3 like the app's. A connection handed over in
``config.attributes["connection"]`` (programmatic use) is used as is.
"""
import os
import sys
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

# Make `ledger_app` importable however alembic was launched.
APP_DIR = Path(__file__).resolve().parent.parent
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from ledger_app.db import normalise_url
from ledger_app.models import Base

config = context.config
# Only configure logging from the CLI; a programmatic caller owns its logging.
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

OPTIONS: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "compare_type": True,
    "compare_server_default": True,
}


def resolve_url() -> str | None:
    raw = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "LEDGER_DATABASE_URL"
    )
    return normalise_url(raw) if raw and raw.strip() else None


def run_offline() -> None:
    url = resolve_url()
    dialect: dict[str, Any] = {"url": url} if url else {"dialect_name": "postgresql"}
    context.configure(
        literal_binds=True, dialect_opts={"paramstyle": "named"}, **dialect, **OPTIONS
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run_on(given)
        return
    url = resolve_url()
    if url is None:
        raise RuntimeError("LEDGER_DATABASE_URL is not set (or pass -x url=postgresql://...)")
    # NullPool: a migration run is one-shot; no connection should linger.
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
