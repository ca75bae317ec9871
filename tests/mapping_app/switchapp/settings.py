"""The database URL, chosen by an engine switch whose default is SQLite."""

import os

SQLITE_URL = "sqlite:///./switchapp.db"


def database_url() -> str:
    engine = os.environ.get("DB_ENGINE", "sqlite")
    if engine == "sqlite":
        return SQLITE_URL
    return os.environ.get("SWITCHAPP_DATABASE_URL") or SQLITE_URL
