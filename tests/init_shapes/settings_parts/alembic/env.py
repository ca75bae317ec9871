from alembic import context
from sqlalchemy import create_engine, pool
from svc.config import settings
from svc.models import item, user  # noqa: F401  (registers the tables)
from svc.models.base import Base

target_metadata = Base.metadata

engine = create_engine(settings.database_uri, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
