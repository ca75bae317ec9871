from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "postgresql+psycopg://notes:notes@db:5432/notes"


settings = Settings()
