"""Settings from the environment, the way full-stack FastAPI templates read them.

The database is given as POSTGRES_* parts, never as one DATABASE_URL; the
SQLAlchemy URL is built from them. Real environment variables win over the
app folder's `.env` (pydantic-settings' order), so a harness or a PaaS that
sets POSTGRES_* is obeyed even where a developer's `.env` exists.
"""

import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL

APP_DIR = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=APP_DIR / ".env", env_ignore_empty=True, extra="ignore"
    )

    PROJECT_NAME: str = "template-app"
    API_V1_STR: str = "/api/v1"
    # A fresh key per process, as the templates default to: tokens die with the
    # process, which is what a throwaway test stack wants. Set it in deployments.
    SECRET_KEY: str = secrets.token_urlsafe(32)
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8

    POSTGRES_SERVER: str = "127.0.0.1"
    POSTGRES_PORT: int = 5432
    POSTGRES_USER: str = "postgres"
    POSTGRES_PASSWORD: str = ""
    POSTGRES_DB: str = "app"

    FIRST_SUPERUSER: str = "admin@example.com"
    FIRST_SUPERUSER_PASSWORD: str = "changethis"

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> URL:  # the templates' name, kept
        """A URL object, not a string: str(URL) masks the password, and URL.create
        escapes characters a hand-built string would get wrong."""
        return URL.create(
            "postgresql+psycopg",
            username=self.POSTGRES_USER,
            password=self.POSTGRES_PASSWORD or None,
            host=self.POSTGRES_SERVER,
            port=self.POSTGRES_PORT,
            database=self.POSTGRES_DB,
        )


settings = Settings()
