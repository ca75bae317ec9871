from fastapi import FastAPI
from sqlalchemy import text

from svc.db import engine

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.get("/items")
def items() -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, title FROM items ORDER BY id"))
        return [{"id": row.id, "title": row.title} for row in rows]
