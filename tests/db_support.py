"""A standalone embedded PostgreSQL, migrated to head, for tests that need a database that
outlives one harness run (janitor, remote profiles, wrong password)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from support import REPO

from harness.stack.postgres import EmbeddedPostgres
from harness.transport.db import make_engine, make_writer

APP_DIR = REPO / "examples" / "reference_app"


def model_without_migration(project: Any) -> None:
    """A copy of the models module with users.credits, which no migration creates."""
    folder = project.path / "models_copy"
    folder.mkdir()
    models = (APP_DIR / "reference_app" / "models.py").read_text()
    marker = "    email: Mapped[str] = mapped_column(String(255), nullable=False)\n"
    assert marker in models
    models = models.replace(marker, marker + "    credits: Mapped[int] = mapped_column(Integer, nullable=False)\n")
    (folder / "models_with_credits.py").write_text(models)
    project.set_targets({"targets": {"local": {"database": {
        "models": "models_with_credits:Base.metadata", "models_path": [str(folder)]}}}})  # fmt: skip


def migrate(url: str, *args: str) -> None:
    command = [sys.executable, "-m", "alembic", "-c", "alembic.ini", *(args or ("upgrade", "head"))]
    subprocess.run(command, cwd=APP_DIR, env={**os.environ, "DATABASE_URL": url}, check=True,
                   capture_output=True)  # fmt: skip


def sql(url: str, *statements: str) -> list[tuple]:
    """Run statements (autocommit); the rows of the last one."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows: list[tuple] = []
        for statement in statements:
            cursor = connection.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
        return rows


def hv_objects(url: str) -> list[str]:
    return [row[0] for row in sql(url,
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'hv_') "
        "UNION ALL SELECT datname FROM pg_database WHERE starts_with(datname, 'hv_') ORDER BY 1")]  # fmt: skip


@pytest.fixture(scope="module")
def standalone_pg() -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres.create()
    try:
        server.start()
        migrate(server.url())
        yield server
    finally:
        server.stop()


@pytest.fixture
def engine(standalone_pg: EmbeddedPostgres) -> Iterator[Engine]:
    """The harness's (read-only) engine on the standalone server; every hv_ object a test
    leaves goes after."""
    engine = make_engine(standalone_pg.url())
    yield engine
    for name in hv_objects(standalone_pg.url()):
        sql(standalone_pg.url(), f"DROP SCHEMA IF EXISTS {name} CASCADE", f"DROP DATABASE IF EXISTS {name}")
    engine.dispose()


@pytest.fixture
def writer(standalone_pg: EmbeddedPostgres) -> Iterator[Engine]:
    """The harness's writing engine on the standalone server (``engine`` is read-only)."""
    engine = make_writer(standalone_pg.url())
    yield engine
    for name in hv_objects(standalone_pg.url()):
        sql(standalone_pg.url(), f"DROP SCHEMA IF EXISTS {name} CASCADE", f"DROP DATABASE IF EXISTS {name}")
    engine.dispose()
