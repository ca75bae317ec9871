import os

from alembic import context
from sqlalchemy import create_engine
from tally.models import Base

url = os.environ.get("TALLY_DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
with create_engine(url).connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
