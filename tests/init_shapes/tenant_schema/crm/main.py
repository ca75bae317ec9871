from fastapi import FastAPI
from sqlalchemy import create_engine, text

from crm.config import DATABASE_URL, TENANT_SCHEMA

engine = create_engine(DATABASE_URL, pool_pre_ping=True).execution_options(
    schema_translate_map={None: TENANT_SCHEMA}
)
app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.get("/contacts")
def contacts() -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(text(f'SELECT id, name FROM "{TENANT_SCHEMA}".contacts'))
        return [{"id": row.id, "name": row.name} for row in rows]
