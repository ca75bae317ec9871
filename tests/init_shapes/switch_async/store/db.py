from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase

from store.settings import settings


class Base(DeclarativeBase):
    pass


engine = create_async_engine(settings.url, pool_pre_ping=True)
