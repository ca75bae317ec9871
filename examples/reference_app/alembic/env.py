"""Alembic environment for the reference app.

Accepts DATABASE_URL (or ``-x url=...``) in any PostgreSQL form and always
runs online migrations through asyncpg inside ``connection.run_sync`` under
its own event loop, so no sync-driver greenlet mix-up (MissingGreenlet) can
happen. A sync connection passed in ``config.attributes["connection"]`` (the
harness's programmatic use) is used as is.
"""
import asyncio
import os
import sys
import threading
from collections.abc import Coroutine
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# Make `reference_app` importable however alembic was launched.
APP_DIR = Path(__file__).resolve().parent.parent
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reference_app.db import ASYNC_DRIVER, normalise_url  # noqa: E402
from reference_app.models import WALLET_SCHEMA, Base  # noqa: E402

config = context.config
# Only configure logging when run from the CLI; a programmatic caller owns it.
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata

# Only our schemas take part in autogenerate; anything else in the database
# (other apps, extensions' schemas) is not ours to diff.
MANAGED_SCHEMAS = frozenset({None, "public", WALLET_SCHEMA})


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    if type_ == "schema":
        return name in MANAGED_SCHEMAS
    return True


def configure_kwargs() -> dict[str, Any]:
    """Options shared by online, offline and external-connection runs."""
    return {
        "target_metadata": target_metadata,
        "include_schemas": True,
        "include_name": include_name,
        "compare_type": True,
        "compare_server_default": True,
    }


def resolve_url() -> str | None:
    """-x url=... wins over DATABASE_URL, which wins over sqlalchemy.url."""
    x_args = context.get_x_argument(as_dictionary=True)
    raw = x_args.get("url") or os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    return raw.strip() if raw and raw.strip() else None


def run_migrations_offline() -> None:
    """Emit SQL (``--sql``); a URL is optional since only the dialect matters."""
    url = resolve_url()
    dialect: dict[str, Any] = (
        {"url": normalise_url(url, ASYNC_DRIVER)} if url else {"dialect_name": "postgresql"}
    )
    context.configure(
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **dialect,
        **configure_kwargs(),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **configure_kwargs())
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(url: str) -> None:
    # NullPool: a migration run is one-shot; no connection should linger.
    engine = create_async_engine(normalise_url(url, ASYNC_DRIVER), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_coroutine(coro: Coroutine[Any, Any, None]) -> None:
    """asyncio.run, or in a helper thread if a loop is already running here
    (alembic's command API called from async code)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    worker = threading.Thread(target=target, name="alembic-migrations")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
        return
    url = resolve_url()
    if url is None:
        raise RuntimeError("DATABASE_URL is not set (or pass -x url=postgresql://...)")
    run_coroutine(run_async_migrations(url))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
