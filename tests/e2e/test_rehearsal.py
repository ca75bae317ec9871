"""migration-rehearsal end to end: the live database is left behind the scripts (a copy of
the reference app with one more revision, or one revision downgraded), the rehearsal copies
it and applies what is pending with the app's migrate command. Named faults: a NOT NULL
column without a default on a table with rows; an env.py that only works with a sync URL,
given the async URL form the deployed app uses."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from db_support import APP_DIR

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
ITEM = "migration-rehearsal"

ADD_USER = """
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        connection.execute("INSERT INTO users (name, email) VALUES ('rehearsal', 'r@example.com')")
"""

DOWNGRADE_ONE = """
import os, subprocess, sys
def pytest_harness_stack_ready(config, target, addresses):
    subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", "downgrade", "-1"],
                   cwd=target.app.dir, env={**os.environ, "DATABASE_URL": addresses.database_url},
                   check=True, capture_output=True)
"""

NOT_NULL_REVISION = '''\
"""users.credits, NOT NULL and no default: fine on an empty database, not on one with users"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("credits", sa.Integer(), nullable=False))


def downgrade() -> None:
    op.drop_column("users", "credits")
'''

SYNC_ONLY_ENV = '''\
"""An env.py that only knows a sync engine (the seeds' MissingGreenlet on an async URL)."""
import os, sys
from pathlib import Path
from alembic import context
from sqlalchemy import create_engine, pool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reference_app.models import Base  # noqa: E402

config = context.config


def migrate(connection):
    context.configure(connection=connection, target_metadata=Base.metadata, include_schemas=True)
    with context.begin_transaction():
        context.run_migrations()


if config.attributes.get("connection") is not None:
    migrate(config.attributes["connection"])
else:
    engine = create_engine(os.environ["DATABASE_URL"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        migrate(connection)
        connection.commit()
'''


def app_copy(project, *, revision: str | None = None, env_py: str | None = None) -> None:
    """The scripts the deploy would ship; the stack itself still migrates with the original."""
    copy = project.path / "app_copy"
    shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if revision:
        (copy / "alembic" / "versions" / "0006_users_credits.py").write_text(revision)
    if env_py:
        (copy / "alembic" / "env.py").write_text(textwrap.dedent(env_py))
    return copy / "alembic.ini"


def rehearsal_checks(project) -> dict:
    [check] = [c for t in project.results()["tests"] if ITEM in t["checklist"] for c in t["checks"]]
    return check


def test_a_pending_revision_that_applies_passes_with_a_round_trip(project):
    project.add_hook(DOWNGRADE_ONE)
    result = project.run(SUITE)
    assert result.ret == 1 and project.failed_items() == {"migration-head", "models-match"}
    check = rehearsal_checks(project)
    assert check["ok"] and "1 pending revision(s) (0005)" in check["summary"]
    assert "round trip passed" in check["summary"]
    evidence = check["evidence"]
    assert evidence["copy_method"] in ("template", "pg_dump | pg_restore") and evidence["copy_size_bytes"] > 0
    assert [s["command"] for s in evidence["steps"]] == [
        "alembic upgrade 0005", "alembic downgrade 0004", "alembic upgrade 0005"]


def test_not_null_column_on_a_table_with_rows_fails_naming_revision_and_statement(project):
    ini = app_copy(project, revision=NOT_NULL_REVISION)
    project.set_targets({"targets": {"local": {"alembic_ini": str(ini)}}})
    project.add_hook(ADD_USER)
    result = project.run(SUITE)
    assert result.ret == 1
    assert project.failed_items() == {"migration-head", ITEM}
    check = rehearsal_checks(project)
    text = json.dumps(check)
    assert "revision 0006 fails (upgrade) on a copy of the live data: NotNullViolation" in check["summary"]
    assert 'column \\"credits\\" of relation \\"users\\" contains null values' in text
    assert "statement: ALTER TABLE users ADD COLUMN credits INTEGER NOT NULL" in check["summary"]
    assert "backfill the existing rows" in check["remediation"]


def test_sync_only_env_py_on_the_async_url_fails_with_the_seeds_remedy(project):
    ini = app_copy(project, env_py=SYNC_ONLY_ENV)
    project.set_targets({"targets": {"local": {"alembic_ini": str(ini),
                                               "rehearsal": {"url_scheme": "postgresql+asyncpg"}}}})  # fmt: skip
    project.add_hook(DOWNGRADE_ONE)
    result = project.run(SUITE)
    assert result.ret == 1
    assert project.failed_items() == {"migration-head", "models-match", ITEM}
    check = rehearsal_checks(project)
    assert "revision 0005 fails (upgrade)" in check["summary"] and "MissingGreenlet" in check["summary"]
    assert "alembic init -t async" in check["remediation"]
    assert check["evidence"]["url_scheme"] == "postgresql+asyncpg"


def meta_schema_env_py() -> str:
    """The reference env.py keeping its version table in schema ``meta`` (issue 25.4)."""
    source = (APP_DIR / "alembic" / "env.py").read_text()
    source = source.replace('"compare_server_default": True,', '"compare_server_default": True,\n        "version_table_schema": "meta",')
    return source.replace(
        "def do_run_migrations(connection: Connection) -> None:\n",
        "def do_run_migrations(connection: Connection) -> None:\n"
        '    connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS meta")\n',
    )


def test_a_version_table_in_its_own_schema_is_read_there_on_the_copy(project):
    ini = app_copy(project, env_py=meta_schema_env_py())
    assert '"version_table_schema": "meta"' in (ini.parent / "alembic" / "env.py").read_text()
    project.set_targets({"targets": {"local": {"alembic_ini": str(ini), "app": {"dir": str(ini.parent)},
                                               "database": {"version_table_schema": "meta"}}}})  # fmt: skip
    project.add_hook(DOWNGRADE_ONE)
    result = project.run(SUITE)
    # Merely behind: migration-head (and the models, which have 0005's column) say so.
    assert result.ret == 1, result.stdout.str()[-3000:]
    assert project.failed_items() == {"migration-head", "models-match"}, result.stdout.str()[-3000:]
    check = rehearsal_checks(project)
    assert check["ok"] and "1 pending revision(s) (0005)" in check["summary"]
    assert project.results()["environment"]["db_revision"] == ["0004"]
