"""The example apps, configured only by their profiles in targets.toml (no copied ini, no
wrapper, nothing extra in the harness's venv): the suites on --target=<app> (local) healthy and
with named faults, and the remote profile against a hand-started copy, which stays unchanged.

Each app runs in its own venv, built here when missing (scripts/example-venvs.sh, idempotent).
Items that do not apply to an app (pgvector; the wallet, which flows will drive) are left out
of the selected suites or expected to fail until the verdicts work makes them n/a.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from appshape import wait_until_up
from db_support import sql
from support import REPO, example_venv

from harness.config.stack import system_bindir
from harness.config.targets import resolve_target
from harness.stack.appcode import AppCode
from harness.stack.postgres import EmbeddedPostgres, free_port

pytestmark = pytest.mark.stack

SUITES = ("suites/test_health.py", "suites/test_routes.py", "suites/test_database.py")
# Items the app's profile does not mark n/a but it truly lacks: none now (both profiles
# declare pgvector n/a with the reason).
UNMET: dict[str, set[str]] = {"ledger_app": set(), "template_app": set()}


@dataclass(frozen=True)
class ExampleApp:
    folder: str
    local: str
    remote: str
    remote_env: tuple[str, str]  # the remote profile's base_url and database_url variables
    faults_env: str
    model_file: str  # the models module, copied with an extra column for that fault
    model_marker: str
    faults: dict[str, Any] = field(default_factory=dict)


def downgrade_one(python: str) -> str:
    return f"""
import os, subprocess
from harness.stack.appcode import database_variables
def pytest_harness_stack_ready(config, target, addresses):
    env = {{**os.environ, **database_variables(target.app.database_env, addresses.database_url)}}
    subprocess.run([{python!r}, "-m", "alembic", "downgrade", "-1"], cwd=target.app.dir,
                   env=env, check=True, capture_output=True)
"""


def drop_column(table: str, column: str) -> str:
    return f"""
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        connection.execute('ALTER TABLE {table} DROP COLUMN {column}')
"""


LEDGER = ExampleApp(
    folder="ledger_app", local="ledger", remote="ledger-remote",
    remote_env=("LEDGER_BASE_URL", "LEDGER_DATABASE_URL"), faults_env="LEDGER_FAULTS",
    model_file="ledger_app/models.py",
    model_marker="    amount: Mapped[int] = mapped_column(Integer, nullable=False)\n",
    faults={
        # Truthfully more than the database items: reading a ledger selects the missing column,
        # so that safe GET answers 500 (a finding of routes-reachable since issue 12).
        "one_revision_behind": {"hook": "downgrade", "expected": {
            "migration-head": "behind: at 0001, script head is 0002",
            "models-match": "ledger_entries.created_at",
            "routes-reachable": "GET /ledger/{owner_id} -> GET http://127.0.0.1:"}},
        "column_dropped_by_hand": {"hook": drop_column("ledger_entries", "created_at"), "expected": {
            "schema-drift": "ledger_entries.created_at: column the migrations create is missing",
            "models-match": "ledger_entries.created_at",
            "routes-reachable": "GET /ledger/{owner_id} -> GET http://127.0.0.1:"}},
        "model_column_without_migration": {"hook": "model_column", "expected": {
            "models-match": "ledger_entries.memo: column the models define is missing (text)"}},
    },
)  # fmt: skip
TEMPLATE = ExampleApp(
    folder="template_app", local="template", remote="template-remote",
    remote_env=("TEMPLATE_BASE_URL", "TEMPLATE_DATABASE_URL"), faults_env="TEMPLATE_APP_FAULTS",
    model_file="", model_marker="",
    faults={
        # The missing revision adds an index the models declare: autogenerate sees it too.
        "one_revision_behind": {"hook": "downgrade", "expected": {
            "migration-head": "behind: at 8b2e4d6f0a13, script head is c4d7e9a1f256",
            "models-match": "item index ix_item_owner_id (owner_id): index the models define is missing"}},
        # Truthfully more than the database items: login selects the column, so it answers 500
        # (the target's fault, failing routes-reachable; routes reads OpenAPI without auth).
        "column_dropped_by_hand": {"hook": drop_column('"user"', "created_at"), "expected": {
            "schema-drift": "user.created_at: column the migrations create is missing",
            "models-match": "user.created_at", "routes-reachable": ""}},
        # The model's column makes login answer 500 too.
        "model_column_without_migration": {"hook": "", "faults": "model_column_without_migration", "expected": {
            "models-match": "user.nickname: column the models define is missing (character varying(255))",
            "routes-reachable": ""}},
        "router_not_mounted": {"hook": "", "faults": "items_router_not_mounted", "expected": {
            "routes": "/api/v1/items/", "routes-reachable": "/api/v1/items/"}},
    },
)  # fmt: skip
APPS = {"ledger_app": LEDGER, "template_app": TEMPLATE}


def available(app: ExampleApp) -> ExampleApp:
    if not (REPO / "examples" / app.folder / "pyproject.toml").exists():
        pytest.fail(f"examples/{app.folder} is missing from this checkout")
    return app


@pytest.fixture(scope="session", params=list(APPS))
def example(request: pytest.FixtureRequest) -> ExampleApp:
    """The app, its venv built when missing (idempotent: a second run only checks)."""
    app = available(APPS[request.param])
    example_venv(app.folder)
    return app


def app_code(app: ExampleApp) -> AppCode:
    spec = resolve_target(app.local, REPO / "targets.toml").app
    assert spec is not None
    return AppCode(spec)


def run_local(
    project, app: ExampleApp, *, hook: str = "", faults: str = "", targets: dict | None = None
):
    if hook:
        project.add_hook(hook)
    if targets:
        project.set_targets({"targets": {app.local: targets}})
    return project.run(*SUITES, f"--target={app.local}", env={app.faults_env: faults})


def failed_items(project) -> set[str]:
    """Items with a failed test or one that errored (a session fixture that failed)."""
    return {
        item
        for item, outcomes in project.outcomes_by_item().items()
        if outcomes & {"failed", "error"}
    }


def texts(project, item: str) -> str:
    return str(
        [c for t in project.results()["tests"] if item in t["checklist"] for c in t["checks"]]
    )


def test_healthy_local_run(project, example):
    result = run_local(project, example)
    assert failed_items(project) == UNMET[example.folder], result.stdout.str()
    outcomes = project.outcomes_by_item()
    for item in (
        "health",
        "routes",
        "routes-reachable",
        "migration-head",
        "schema-drift",
        "migration-roundtrip",
        "models-match",
        "cleanup",
    ):
        assert outcomes[item] == {"passed"}, (item, outcomes[item])


def model_column(project, app: ExampleApp) -> dict:
    folder = project.path / "models_copy"
    folder.mkdir()
    source = (REPO / "examples" / app.folder / app.model_file).read_text()
    assert app.model_marker in source
    source = source.replace(
        app.model_marker, app.model_marker + "    memo: Mapped[str | None] = mapped_column(Text)\n"
    )
    (folder / "models_plus_memo.py").write_text(source)
    return {"database": {"models": "models_plus_memo:Base.metadata", "models_path": [str(folder)]}}


@pytest.mark.parametrize(
    "fault", ["one_revision_behind", "column_dropped_by_hand", "model_column_without_migration"]
)
def test_named_faults_fail_exactly_their_items(project, example, fault):
    spec = example.faults[fault]
    hook, targets = spec["hook"], None
    if hook == "downgrade":
        hook = downgrade_one(app_code(example).spec.python)
    elif hook == "model_column":
        hook, targets = "", model_column(project, example)
    run_local(project, example, hook=hook, faults=spec.get("faults", ""), targets=targets)
    assert failed_items(project) == UNMET[example.folder] | set(spec["expected"])
    for item, words in spec["expected"].items():
        assert words in texts(project, item)


@pytest.fixture
def hand_started(example: ExampleApp, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The app as a team deploys it: its PostgreSQL, its migrate commands, uvicorn, by hand."""
    app = app_code(example)
    pg = EmbeddedPostgres.create(system_bindir() if shutil.which("pg_config") else None)
    server = None
    try:
        pg.start()
        sql(pg.url(), "CREATE DATABASE deployed")
        env = app.environment(pg.url("deployed"))
        for command in app.spec.migrate:
            subprocess.run(
                app.command(command), cwd=app.spec.dir, env=env, check=True, capture_output=True
            )
        port = free_port()
        server = subprocess.Popen(
            [app.spec.python, "-m", "uvicorn", app.spec.asgi, "--port", str(port)],
            cwd=app.spec.dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + resolve_target(example.local, REPO / "targets.toml").health.path)
        yield {example.remote_env[0]: base, example.remote_env[1]: pg.url("deployed")}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        pg.stop()


def fingerprint(url: str) -> list[tuple]:
    return sql(url, "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public' ORDER BY 1, 2") + sql(url, "SELECT version_num FROM alembic_version")  # fmt: skip


def test_remote_profile_against_a_hand_started_copy(project, example, hand_started):
    url = hand_started[example.remote_env[1]]
    before = fingerprint(url)
    result = project.run(*SUITES, f"--target={example.remote}", env=dict(hand_started))
    assert failed_items(project) == UNMET[example.folder], result.stdout.str()
    for item in ("health", "routes", "migration-head", "schema-drift", "models-match"):
        assert project.outcomes_by_item()[item] == {"passed"}, item
    assert fingerprint(url) == before
    assert (
        os.environ.get(example.remote_env[1]) is None
    )  # the copy's URL lived only in the run's env
