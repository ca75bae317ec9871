"""The mapping from the profile to the app's database is proven by effect (issue 24.3).

tests/mapping_app (``switchapp``) chooses its database by an engine switch whose default is
SQLite, as real backends do. Each test copies it into the project folder, points a local
profile at the copy and runs the harness: healthy, it is green and the harness says the app
holds a connection to its database; misconfigured three ways, the run stops with exit 4 and
one line naming what the app read instead, every item blocked, no schema item judged.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support import REPO, HarnessProject

pytestmark = pytest.mark.stack

N_A = "not part of this app"
NOT_HERE = ("routes", "routes-reachable", "pgvector", "pgvector-usable", "models-match",
            "wallet-reward", "wallet-idempotent")  # fmt: skip
SCHEMA_ITEMS = ("migration-head", "schema-drift", "migration-rehearsal")


def _switchapp(project: HarnessProject, app: dict[str, Any], **profile: Any) -> Path:
    folder = project.path / "switchapp_repo"
    shutil.copytree(REPO / "tests" / "mapping_app", folder)
    project.set_targets({"targets": {"switch": {
        "kind": "local", "alembic_ini": str(folder / "alembic.ini"),
        "app": {"dir": str(folder), "asgi": "switchapp.main:app", **app},
        "checks": {"not_applicable": dict.fromkeys(NOT_HERE, N_A)}, **profile,
    }}})  # fmt: skip
    return folder


def _config_errors(run: pytest.RunResult) -> list[str]:
    return [line for line in run.outlines if "CONFIGURATION ERROR (exit 4)" in line]


def _assert_blocked_without_verdicts(project: HarnessProject) -> None:
    results = project.results()
    assert results["status"] == "blocked" and results["exit_status"] == 4
    outcomes = project.outcomes_by_item()
    assert not project.failed_items()
    for item in ("health", *SCHEMA_ITEMS):
        assert outcomes[item] == {"blocked"}, (item, outcomes[item])


def test_healthy_switchapp_is_green(project: HarnessProject) -> None:
    _switchapp(project, {
        "database_env": {"SWITCHAPP_DATABASE_URL": "{url_psycopg}"},
        "env": {"DB_ENGINE": "postgresql"},
    })  # fmt: skip
    run = project.run("--target=switch")
    assert run.ret == 0, run.stdout.str()
    assert "the app holds a connection to the harness's database" in run.stdout.str()
    assert project.outcomes_by_item()["migration-head"] == {"passed"}


def test_migrations_that_went_to_sqlite_stop_the_run_with_one_line(
    project: HarnessProject,
) -> None:
    """No DB_ENGINE: the migrations and the app both take the SQLite default."""
    folder = _switchapp(project, {"database_env": {"SWITCHAPP_DATABASE_URL": "{url_psycopg}"}})
    run = project.run("--target=switch")
    assert run.ret == 4, run.stdout.str()
    (line,) = _config_errors(run)
    assert "the migrate step did not write to the harness's database: no public.alembic_version" in line
    assert "SQLite (it wrote switchapp.db)" in line
    assert "the engine switch DB_ENGINE at switchapp/settings.py:9" in line
    assert "Hint: set DB_ENGINE in [targets.switch.app] env" in line
    assert (folder / "switchapp.db").exists()  # what the line says it wrote, it wrote
    _assert_blocked_without_verdicts(project)


def test_a_variable_the_app_does_not_read_is_named(project: HarnessProject) -> None:
    """DB_ENGINE set, but database_env fills DATABASE_URL: the app falls back to SQLite."""
    _switchapp(project, {
        "database_env": {"DATABASE_URL": "{url_psycopg}"}, "env": {"DB_ENGINE": "postgresql"},
    })  # fmt: skip
    run = project.run("--target=switch", "--report-lang", "ja")
    assert run.ret == 4, run.stdout.str()
    (line,) = _config_errors(run)
    assert "not DATABASE_URL (database_env fills it; the app's source never names it)" in line
    assert "Hint: set [targets.switch.app] database_env to the variable the app's settings read" in line
    _assert_blocked_without_verdicts(project)
    report = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "DATABASE_URL 以外（database_env はこれを設定しますが" in report
    assert "[targets.switch.app] の database_env を、アプリの設定が読む変数にしてください" in report


def test_an_app_that_reads_elsewhere_after_start_is_named(project: HarnessProject) -> None:
    """The migrations get the harness's database (SWITCHAPP_MIGRATE_URL); the app does not."""
    _switchapp(project, {"database_env": {"SWITCHAPP_MIGRATE_URL": "{url_psycopg}"}})
    run = project.run("--target=switch")
    assert run.ret == 4, run.stdout.str()
    (line,) = _config_errors(run)
    assert "the app did not connect to the harness's database after it started" in line
    assert "SQLite (it wrote switchapp.db), the engine switch DB_ENGINE" in line
    _assert_blocked_without_verdicts(project)


def test_a_version_table_the_profile_misnames_is_named(project: HarnessProject) -> None:
    """The migrations did write here, under the name Alembic uses; the profile names another."""
    app = {"database_env": {"SWITCHAPP_DATABASE_URL": "{url_psycopg}"}, "env": {"DB_ENGINE": "postgresql"}}
    _switchapp(project, app, database={"version_table": "app_version"})
    run = project.run("--target=switch")
    assert run.ret == 4, run.stdout.str()
    (line,) = _config_errors(run)
    assert "wrote its version table to public.alembic_version, not public.app_version" in line
    assert "[targets.switch.database]" in line
    _assert_blocked_without_verdicts(project)
