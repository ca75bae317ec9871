"""An API whose every cheap route needs a bearer token (401 without one); only its OpenAPI
document is served without a token (as flask-smorest and FastAPI serve theirs)."""

import os

from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
app = FastAPI()


def token(request: Request) -> str:
    value = request.headers.get("authorization", "")
    if not value.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="Missing Authorization Header")
    return value


@app.get("/item")
def items(_: str = Depends(token)) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT name FROM item")).scalars())


@app.get("/store")
def stores(_: str = Depends(token)) -> list[str]:
    return []
