from alembic import context
from shelf.db import database_url
from shelf.models import Base
from sqlalchemy import create_engine

target_metadata = Base.metadata

with create_engine(database_url()).connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
