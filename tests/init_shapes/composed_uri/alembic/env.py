import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from stock.config import settings
from stock.models import Base

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def main() -> None:
    engine = create_async_engine(settings.SQLALCHEMY_DATABASE_URI)
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
    await engine.dispose()


asyncio.run(main())
