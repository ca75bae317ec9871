"""Diagnoses that are true: each fault gets its own message, and its remedy, followed, works.

Real embedded PostgreSQL migrated by the reference app's own Alembic scripts; the checks are
called as the suites call them, then the remedy is carried out and the check runs again.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from db_support import APP_DIR, migrate, sql, standalone_pg  # noqa: F401  (fixture)

from harness.checks.migrations import check_migration_head
from harness.config.database import DatabaseSpec
from harness.transport.db import make_engine

pytestmark = pytest.mark.stack

INI = APP_DIR / "alembic.ini"


def alembic(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", *args], cwd=APP_DIR,
                   env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True)  # fmt: skip


@pytest.fixture
def engine(standalone_pg):  # noqa: F811 (the fixture)
    engine = make_engine(standalone_pg.url())
    yield engine
    engine.dispose()


def test_several_version_rows_get_their_own_message_and_the_remedy_works(standalone_pg, engine):  # noqa: F811 (the fixture)
    url = standalone_pg.url()
    sql(url, "INSERT INTO alembic_version VALUES ('0002')")
    try:
        result = check_migration_head(engine, INI, DatabaseSpec())
        assert not result.ok
        assert "has 2 rows (0002, 0005) though the scripts have one head (0005)" in result.summary
        assert "behind" not in result.summary and "upgrade head" not in result.remediation
        assert result.remediation.startswith("alembic stamp --purge 0005")
        alembic(url, "stamp", "--purge", "0005")  # the remedy, as written
        assert check_migration_head(engine, INI, DatabaseSpec()).ok
    finally:
        sql(url, "DELETE FROM alembic_version", "INSERT INTO alembic_version VALUES ('0005')")


def test_several_rows_below_head_purge_then_upgrade(standalone_pg, engine):  # noqa: F811 (the fixture)
    url = standalone_pg.url()
    alembic(url, "downgrade", "0004")
    sql(url, "INSERT INTO alembic_version VALUES ('0003')")
    try:
        result = check_migration_head(engine, INI, DatabaseSpec())
        assert "stale row(s) 0003 must go; the database is at 0004" in result.summary
        assert result.remediation.startswith("alembic stamp --purge 0004, then alembic upgrade head")
        alembic(url, "stamp", "--purge", "0004")
        alembic(url, "upgrade", "head")
        assert check_migration_head(engine, INI, DatabaseSpec()).ok
    finally:
        sql(url, "DELETE FROM alembic_version", "INSERT INTO alembic_version VALUES ('0005')")
        migrate(url)


# A type changed by hand in models-match: tests/e2e/test_database.py (column_type_changed_by_hand).
