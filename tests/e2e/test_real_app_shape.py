"""A template-shaped app (tests/appshape.py) verified through its profile alone: POSTGRES_*
variables, relative alembic paths, an env.py that ignores what it is handed, uuid-ossp on the
machine's PostgreSQL ([stack] postgres = "system"), models spread over modules. Locally
(healthy and with named faults) and as a remote target against a hand-started copy.

pgvector does not apply to this app; until items can be n/a it fails, and the tests say so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from appshape import POSTGRES_ENV, profile, wait_until_up, write_app
from db_support import sql

from harness.config.stack import system_bindir
from harness.stack.appcode import database_variables
from harness.stack.postgres import EmbeddedPostgres, free_port

pytestmark = pytest.mark.stack

SUITES = ("suites/test_database.py", "suites/test_health.py")
NOT_APPLICABLE = {"pgvector"}  # no vector extension in this app: n/a once verdicts land
DOWNGRADE_ONE = """
import os, subprocess, sys
from harness.stack.appcode import database_variables
def pytest_harness_stack_ready(config, target, addresses):
    env = {**os.environ, **database_variables(target.app.database_env, addresses.database_url)}
    subprocess.run([sys.executable, "-m", "alembic", "downgrade", "-1"], cwd=target.app.dir,
                   env=env, check=True, capture_output=True)
"""
IMPORT_PROBE = """
import json, sys, pytest
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    app_dir = str(session.config.rootpath / "shape_app")
    loaded = [n for n, m in list(sys.modules.items()) if str(getattr(m, "__file__", "") or "").startswith(app_dir)]
    (session.config.rootpath / "app_modules.json").write_text(json.dumps(loaded))
"""
DROP_COLUMN = """
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE user_account DROP COLUMN full_name")
"""


def run_local(project, hook: str = "", faults: str = ""):
    app = write_app(project.path / "shape_app")
    project.set_targets(
        {"targets": {"shape": {"kind": "local", **profile(app, stack={"postgres": "system"})}}}
    )
    if hook:
        project.add_hook(hook)
    return project.run(*SUITES, "--target=shape", env={"SHAPE_FAULTS": faults})


def texts(project, item: str) -> str:
    return str(
        [c for t in project.results()["tests"] if item in t["checklist"] for c in t["checks"]]
    )


def test_healthy_local_run_on_system_postgres(project):
    result = run_local(project, IMPORT_PROBE)
    assert project.failed_items() == NOT_APPLICABLE, result.stdout.str()
    outcomes = project.outcomes_by_item()
    for item in ("health", "migration-head", "schema-drift", "models-match", "cleanup"):
        assert outcomes[item] == {"passed"}, (item, outcomes[item])
    assert "1 tables" in texts(project, "models-match")
    # The plugin process ran migrations, the replay and the models, and imported none of it.
    assert json.loads((project.path / "app_modules.json").read_text()) == []


@pytest.mark.parametrize(
    ("hook", "faults", "expected"),
    [
        (
            "",
            "model_column",
            {"models-match": "user_account.nickname: column the models define is missing"},
        ),
        (
            DOWNGRADE_ONE,
            "",
            {
                "migration-head": "behind: at 0001, script head is 0002",
                "models-match": "user_account.full_name",
            },
        ),
        (
            DROP_COLUMN,
            "",
            {
                "schema-drift": "user_account.full_name: column the migrations create is missing",
                "models-match": "user_account.full_name",
            },
        ),
    ],
    ids=["model_column_without_migration", "one_revision_behind", "column_dropped_by_hand"],
)
def test_named_faults_fail_exactly_their_items(project, hook, faults, expected):
    run_local(project, hook, faults)
    assert project.failed_items() == NOT_APPLICABLE | set(expected)
    for item, words in expected.items():
        assert words in texts(project, item)


@pytest.fixture
def hand_started(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The app as a team deploys it: its own PostgreSQL, migrated, served by uvicorn."""
    app = write_app(tmp_path / "deployed")
    pg = EmbeddedPostgres.create(system_bindir())
    server = None
    try:
        pg.start()
        sql(pg.url(), "CREATE DATABASE shop")
        env = {**os.environ, **database_variables(POSTGRES_ENV, pg.url("shop"))}
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=app,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
                                  cwd=app, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/v1/utils/health-check/")
        yield base, pg.url("shop"), app
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        pg.stop()


def test_remote_profile_against_a_hand_started_copy_leaves_it_unchanged(project, hand_started):
    base, url, app = hand_started
    before = sql(url, "SELECT count(*), max(version_num) FROM alembic_version")
    shape = profile(app, kind="remote", base_url=base, database_url=url)
    del shape["app"]["dir"]  # defaults to the alembic.ini's folder
    project.set_targets({"targets": {"shape": shape}})
    result = project.run(*SUITES, "--target=shape")
    assert project.failed_items() == NOT_APPLICABLE, result.stdout.str()
    assert project.outcomes_by_item()["schema-drift"] == {"passed"}
    assert sql(url, "SELECT count(*), max(version_num) FROM alembic_version") == before
    assert sql(url, "SELECT count(*) FROM pg_database WHERE datname LIKE 'hv_%'") == [(0,)]


def test_unmapped_variables_stop_the_run_with_exit_4_not_drift(project, hand_started):
    """The profile maps DATABASE_URL, the app reads POSTGRES_*: its env.py falls back to its
    default server, so the replay cannot build where it was told."""
    base, url, app = hand_started
    shape = profile(app, kind="remote", base_url=base, database_url=url)
    shape["app"]["database_env"] = "DATABASE_URL"
    project.set_targets({"targets": {"shape": shape}})
    result = project.run("suites/test_database.py", "--target=shape", "-k", "equals_its_migrations")
    assert result.ret == 4, result.stdout.str()
    assert project.outcomes_by_item()["schema-drift"] == {"blocked"}
    assert "the replay did not build where it was told" in result.stdout.str()
    assert "POSTGRES_SERVER" in result.stdout.str()
