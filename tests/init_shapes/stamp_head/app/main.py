import os

from fastapi import FastAPI

DATABASE_URL = os.environ.get("DATABASE_URL", "")
app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
