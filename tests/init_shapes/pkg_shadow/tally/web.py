import os

from fastapi import FastAPI

from tally.logging import get_logger
from tally.types import Amount

log = get_logger("web")
DATABASE_URL = os.environ.get("TALLY_DATABASE_URL", "")
app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/total")
def total() -> dict[str, int]:
    return {"cents": Amount(0).cents}
