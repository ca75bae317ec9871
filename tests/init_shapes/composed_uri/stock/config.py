from typing import Any

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    POSTGRES_SERVER: str = "localhost"
    POSTGRES_USER: str = "postgres"
    POSTGRES_PASSWORD: str = "postgres"
    POSTGRES_DB: str = "stock"
    SQLALCHEMY_DATABASE_URI: str | None = None

    @field_validator("SQLALCHEMY_DATABASE_URI", mode="before")
    @classmethod
    def assemble(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return value
        parts = info.data
        return (
            f"postgresql+asyncpg://{parts['POSTGRES_USER']}:{parts['POSTGRES_PASSWORD']}"
            f"@{parts['POSTGRES_SERVER']}/{parts['POSTGRES_DB']}"
        )


settings = Settings()
