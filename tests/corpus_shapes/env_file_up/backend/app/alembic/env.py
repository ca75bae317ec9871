from alembic import context
from app.config import settings
from app.models import Base
from sqlalchemy import create_engine, pool

target_metadata = Base.metadata
engine = create_engine(settings.database_uri, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
