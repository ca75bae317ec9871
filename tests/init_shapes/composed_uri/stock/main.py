from fastapi import FastAPI
from sqlalchemy import select

from stock.db import Session
from stock.models import Part

app = FastAPI(title="stock")


@app.get("/api/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/api/parts")
async def parts() -> list[str]:
    async with Session() as session:
        return list((await session.scalars(select(Part.name))).all())
