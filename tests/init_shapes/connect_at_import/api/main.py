import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

ENGINE = create_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
    pool_pre_ping=True,
)
with ENGINE.connect() as connection:  # refuse to start without the database
    connection.execute(text("SELECT 1"))

app = FastAPI(openapi_url="/api/openapi.json", docs_url="/api/docs")


@app.get("/api/status")
def status() -> dict[str, str]:
    with ENGINE.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.get("/api/things")
def things() -> list[dict[str, object]]:
    with ENGINE.connect() as conn:
        return [
            {"id": row.id, "name": row.name}
            for row in conn.execute(text("SELECT id, name FROM thing"))
        ]
