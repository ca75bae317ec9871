from fastapi import FastAPI
from sqlalchemy import text

from store.db import engine

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.get("/orders")
async def orders() -> list[dict[str, int]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT id, total_cents FROM orders ORDER BY id"))
        return [{"id": row.id, "total_cents": row.total_cents} for row in rows]
