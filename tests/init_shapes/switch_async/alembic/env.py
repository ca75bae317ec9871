import asyncio

import store.models._all  # noqa: F401  (registers every table)
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from store.db import Base
from store.settings import settings

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def main() -> None:
    engine = create_async_engine(settings.url)
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
    await engine.dispose()


asyncio.run(main())
