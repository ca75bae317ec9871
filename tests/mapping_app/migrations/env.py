"""SWITCHAPP_MIGRATE_URL wins over the app's own settings."""

import os

from alembic import context
from sqlalchemy import create_engine
from switchapp.settings import database_url

url = os.environ.get("SWITCHAPP_MIGRATE_URL") or database_url()
with create_engine(url).connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
