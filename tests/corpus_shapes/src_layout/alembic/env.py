from alembic import context
from notes.config import settings
from notes.models import Base
from sqlalchemy import create_engine, pool

target_metadata = Base.metadata
engine = create_engine(settings.DATABASE_URL, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
