"""migration-rehearsal's pure parts: the profile section, what is pending, reading a failure."""

from __future__ import annotations

import pytest
from support import REPO

from harness.checks.migrations import head_revisions
from harness.checks.rehearsal import REMEDIES, parse_failure, pending_revisions
from harness.config.rehearsal import RehearsalSpec, rehearsal_spec
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.messages.core import msg

INI = REPO / "examples" / "reference_app" / "alembic.ini"

NOT_NULL = """Traceback (most recent call last):
  File "/x/alembic/versions/0006.py", line 12, in upgrade
psycopg.errors.NotNullViolation: column "credits" of relation "users" contains null values

The above exception was the direct cause of the following exception:

sqlalchemy.exc.IntegrityError: (psycopg.errors.NotNullViolation) column "credits" of relation "users" contains null values
[SQL: ALTER TABLE users ADD COLUMN credits INTEGER NOT NULL]
(Background on this error at: https://sqlalche.me/e/20/gkpj)
"""
GREENLET = """  File "sqlalchemy/util/_concurrency_py3k.py", line 123, in await_only
sqlalchemy.exc.MissingGreenlet: greenlet_spawn has not been called; can't call await_only() here.
"""
ASYNCPG = """sqlalchemy.exc.ProgrammingError: (sqlalchemy.dialects.postgresql.asyncpg.ProgrammingError) \
<class 'asyncpg.exceptions.DuplicateTableError'>: relation "users" already exists
[SQL: CREATE TABLE users (id SERIAL NOT NULL)]
"""


def target(section: dict, **kw) -> Target:
    return Target(name="t", kind="remote", base_url="http://x", raw={"rehearsal": section}, **kw)


def test_rehearsal_section():
    assert rehearsal_spec(target({})) == RehearsalSpec()
    spec = rehearsal_spec(target({"url_scheme": "postgresql+asyncpg", "round_trip": False, "timeout_s": 30}))
    assert spec.url_scheme == "postgresql+asyncpg" and not spec.round_trip and spec.timeout_s == 30.0
    for section, message in [({"url_scheme": "mysql"}, "url_scheme: 'mysql' is not"),
                             ({"on_production": "yes"}, "on_production: expected true or false"),
                             ({"sample_rows": 10}, "unknown key 'sample_rows'")]:  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            rehearsal_spec(target(section))


def test_pending_revisions_oldest_first():
    graph = head_revisions(INI)
    assert pending_revisions(graph, ["0002"]) == ["0003", "0004", "0005"]
    assert pending_revisions(graph, None) == ["0001", "0002", "0003", "0004", "0005"]  # create_all()
    assert pending_revisions(graph, ["0005"]) == []
    assert pending_revisions(graph, ["f00d"]) is None  # migration-head's finding, not ours


def test_failures_name_the_driver_error_and_the_statement():
    failure = parse_failure(NOT_NULL)
    assert failure["error"] == "NotNullViolation" and failure["error_name"] in REMEDIES
    assert failure["message"] == 'column "credits" of relation "users" contains null values'
    assert failure["statement"] == "ALTER TABLE users ADD COLUMN credits INTEGER NOT NULL"
    assert parse_failure(GREENLET)["error_name"] == "MissingGreenlet"
    duplicate = parse_failure(ASYNCPG)
    assert duplicate["statement"].startswith("CREATE TABLE users") and duplicate["error_name"] == "DuplicateTable"
    assert "alembic stamp" in msg(REMEDIES[duplicate["error_name"]])
    assert parse_failure("killed\n")["message"] == "killed"
    chained = ('asyncpg.exceptions.DuplicateTableError: relation "users" already exists\n\nThe above ...\n'
               "sqlalchemy.exc.ProgrammingError: (sqlalchemy.dialects.postgresql.asyncpg.ProgrammingError) "
               'relation "users" already exists\n[SQL: CREATE TABLE users (id int)]\n')  # SQLAlchemy 2.1
    assert parse_failure(chained)["error_name"] == "DuplicateTable"


def test_each_step_is_the_apps_own_command(tmp_path):
    from harness.checks.rehearsal import alembic_argv
    from harness.config.app import AppSpec
    from harness.stack.appcode import AppCode

    plain = AppCode(AppSpec(dir=tmp_path, python="/venv/bin/python"))
    assert alembic_argv(plain, tmp_path / "alembic.ini", "upgrade", "0006") == (
        ["/venv/bin/python", "-m", "alembic", "-c", str(tmp_path / "alembic.ini"), "upgrade", "0006"], tmp_path)
    flask = AppCode(AppSpec(dir=tmp_path, python="/venv/bin/python", migrations="flask", wsgi="app:create_app()"))
    argv, _ = alembic_argv(flask, tmp_path / "migrations" / "alembic.ini", "downgrade", "0001")
    assert argv[1:] == ["-m", "flask", "--app", "app:create_app()", "db", "downgrade", "0001",
                        "-d", str(tmp_path / "migrations")]
