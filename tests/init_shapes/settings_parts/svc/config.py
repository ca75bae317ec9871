"""Settings read from SVC_* variables; the database URL is built from its parts."""

from pydantic import Field, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SVC_")

    db_host: str = "localhost"
    db_user: str = "svc"
    db_password: str = ""
    db_name: str = "svc"
    production: bool
    signing_key: str = Field(validation_alias="SVC_SIGNING_KEY")

    @computed_field
    @property
    def database_uri(self) -> str:
        auth = f"{self.db_user}:{self.db_password}" if self.db_password else self.db_user
        return f"postgresql://{auth}@{self.db_host}/{self.db_name}"


settings = Settings()
