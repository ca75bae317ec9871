"""The round trip's step helper (helpers/migrate_steps.py) reads the revision files once per
run: Alembic builds a new ScriptDirectory for every command, which executed every revision
file again, 3N times over a round trip of N revisions. The steps themselves still go through
env.py each time and land where they were told."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from db_support import sql, standalone_pg  # noqa: F401  (fixture)

from harness.config.targets import AppSpec
from harness.stack.appcode import AppCode
from harness.stack.appsteps import MigrationSteps

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks.generate import revision_id, script_directory  # noqa: E402 (after the sys.path line)

REVISIONS = 3


def _count_imports(ini: Path, log: Path) -> None:
    """Each revision file appends its id to ``log`` whenever it is executed."""
    for path in (ini.parent / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        note = f"open({str(log)!r}, 'a').write({path.stem[:12]!r} + '\\n')\n"
        path.write_text(text.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\n" + note, 1))


def test_each_revision_file_is_read_once_over_a_round_trip(tmp_path, standalone_pg):  # noqa: F811
    ini = script_directory(tmp_path / "app", REVISIONS, tables=REVISIONS)
    log = tmp_path / "executed.txt"
    _count_imports(ini, log)
    sql(standalone_pg.url(), "DROP DATABASE IF EXISTS steps WITH (FORCE)", "CREATE DATABASE steps")
    url = standalone_pg.url("steps")
    env = {**os.environ, "DATABASE_URL": url, "HV_STEPS_URL": url}
    with MigrationSteps(AppCode(AppSpec(dir=ini.parent)), ini, env, timeout_s=120) as steps:
        for n in range(REVISIONS):
            assert steps.run("upgrade", revision_id(n)) is None
        assert sql(url, "SELECT version_num FROM alembic_version") == [(revision_id(REVISIONS - 1),)]
        assert steps.run("downgrade", "base") is None
        assert steps.run("upgrade", "head") is None
    assert sql(url, "SELECT version_num FROM alembic_version") == [(revision_id(REVISIONS - 1),)]
    executed = log.read_text().split()
    assert sorted(executed) == sorted({revision_id(n) for n in range(REVISIONS)}), executed


ASYNC_ENV = '''
import asyncio

from alembic import context

from appdb import engine  # the app's engine, made once at import: its pool outlives a loop


def run(connection):
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


async def main():
    async with engine.connect() as connection:
        await connection.run_sync(run)


asyncio.run(main())
'''
APPDB = '''
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1))
'''


def test_a_step_that_fails_only_in_a_reused_interpreter_is_run_fresh(tmp_path, standalone_pg):  # noqa: F811
    """An async env.py using the app's module-level engine: the second command in one
    interpreter meets a pooled connection of the first command's closed event loop. The
    alembic command line (one process per command) works, so the round trip must too."""
    ini = script_directory(tmp_path / "app", REVISIONS, tables=REVISIONS)
    (ini.parent / "migrations" / "env.py").write_text(ASYNC_ENV)
    (ini.parent / "appdb.py").write_text(APPDB)
    sql(standalone_pg.url(), "DROP DATABASE IF EXISTS steps_async WITH (FORCE)", "CREATE DATABASE steps_async")
    url = standalone_pg.url("steps_async")
    env = {**os.environ, "DATABASE_URL": url, "HV_STEPS_URL": url, "PYTHONPATH": str(ini.parent)}
    with MigrationSteps(AppCode(AppSpec(dir=ini.parent)), ini, env, timeout_s=120) as steps:
        for n in range(REVISIONS):
            assert steps.run("upgrade", revision_id(n)) is None
        assert steps.run("downgrade", "base") is None
        assert steps.run("upgrade", "head") is None
        assert steps.fresh_each_step  # it did meet the reused interpreter's failure
        assert "Can't locate revision" in (steps.run("upgrade", "nosuchrev") or "")  # real failures stay
    assert sql(url, "SELECT version_num FROM alembic_version") == [(revision_id(REVISIONS - 1),)]
