"""GET /api/health: a round trip on the app's own engine."""

from fastapi import FastAPI
from sqlalchemy import create_engine, text

from .settings import database_url

engine = create_engine(database_url(), pool_pre_ping=True)
app = FastAPI()


@app.get("/api/health")
def health() -> dict[str, str]:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}
