"""The database, from DATABASE_URL (any postgresql:// form: psycopg 3 is the driver)."""
import os
from functools import lru_cache

from sqlalchemy import Engine, create_engine


def database_url() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@lru_cache
def engine() -> Engine:
    return create_engine(database_url(), pool_pre_ping=True)
