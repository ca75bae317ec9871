"""One switch picks the database; sqlite unless told otherwise."""

from typing import Literal

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DB_ENGINE: Literal["sqlite", "postgres"] = "sqlite"
    SQLALCHEMY_DATABASE_URI: str = ""
    SQLITE_PATH: str = "./store.db"

    @property
    def url(self) -> str:
        if self.DB_ENGINE == "postgres":
            return self.SQLALCHEMY_DATABASE_URI
        return f"sqlite+aiosqlite:///{self.SQLITE_PATH}"


settings = Settings()
