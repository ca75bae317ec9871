"""Alembic environment, in the full-stack FastAPI template's manner.

The URL always comes from the app's settings (POSTGRES_*). A sqlalchemy.url in
the config, or a connection put in config.attributes by a caller, is ignored:
that is what real templates do, and what a harness must cope with.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from app.core.config import settings
from app.models import SQLModel

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the settings' URL without connecting (`alembic upgrade --sql`)."""
    context.configure(
        url=settings.SQLALCHEMY_DATABASE_URI,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect with the settings' URL and migrate."""
    connectable = create_engine(settings.SQLALCHEMY_DATABASE_URI, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
