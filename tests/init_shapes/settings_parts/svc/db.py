from sqlalchemy import create_engine

from svc.config import settings

engine = create_engine(settings.database_uri, pool_pre_ping=True)
