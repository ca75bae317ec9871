"""examples/flask_app through its profile alone (flask_local): served by gunicorn, migrated and
replayed by Flask-Migrate in the app's context, its route table read from its url_map (no
OpenAPI document), its bounty flow declared in flows/flask.toml. Healthy is green; each named
fault fails exactly its items. Each run brings up its own stack (the faults change it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from appshape import wait_until_up
from db_support import sql
from support import REPO, example_venv

from harness.config.targets import resolve_target
from harness.stack.appcode import AppCode
from harness.stack.postgres import EmbeddedPostgres, free_port

pytestmark = pytest.mark.stack

TARGET = "flask_local"
SUITES = ("suites/test_health.py", "suites/test_routes.py", "suites/test_database.py")
FLOWS = "suites/test_flows.py"
ALL_ITEMS = ("health", "routes", "routes-reachable", "pgvector", "pgvector-usable",
             "migration-head", "schema-drift", "migration-roundtrip", "models-match", "wallet-reward",
             "wallet-idempotent", "cleanup")  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def flask_venv() -> None:
    """The app's own venv (idempotent: a second run only checks)."""
    example_venv("flask_app")


def run(project, *suites: str, faults: str = "", hook: str = "", targets: dict | None = None):
    if hook:
        project.add_hook(hook)
    if targets:
        project.set_targets({"targets": {TARGET: targets}})
    return project.run(*suites, f"--target={TARGET}", env={"FLASK_APP_FAULTS": faults})


def failed_items(project) -> set[str]:
    return {i for i, o in project.outcomes_by_item().items() if o & {"failed", "error"}}


def texts(project, item: str) -> str:
    return str(
        [c for t in project.results()["tests"] if item in t["checklist"] for c in t["checks"]]
    )


def test_healthy_flask_app_is_green(project):
    result = run(project, *SUITES, FLOWS)
    outcomes = project.outcomes_by_item()
    assert failed_items(project) == set(), result.stdout.str()
    for item in ALL_ITEMS:
        assert outcomes[item] == {"passed"}, (item, outcomes.get(item))
    assert "flask route table of flask_app:create_app()" in texts(project, "routes")
    assert gunicorns_serving_the_profile() == [] and project.leftover_clusters() == []


def test_blueprint_not_registered_fails_the_route_items(project):
    run(project, *SUITES, faults="blueprint_not_registered")
    assert failed_items(project) == {"routes", "routes-reachable"}
    assert "GET /api/users/{user_id}" in texts(project, "routes")
    assert "/api/health: HTTP 404 from the app, which has no such route" in texts(
        project, "routes-reachable"
    )


def test_reward_dropped_fails_the_reward(project):
    # Every poll for the missing credit runs to its timeout: 1 s is plenty on loopback.
    run(project, FLOWS, faults="reward_dropped",
        targets={"flows": {"bounty": {"poll_timeout_s": 1.0}}})  # fmt: skip
    assert failed_items(project) == {"wallet-reward"}
    assert "credited nothing" in texts(project, "wallet-reward")


COLUMN_ADDED = """
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        connection.execute('ALTER TABLE users ADD COLUMN nickname text')
"""


def test_column_added_by_hand_fails_schema_drift_and_models_match(project):
    run(project, *SUITES, hook=COLUMN_ADDED)
    assert failed_items(project) == {"schema-drift", "models-match"}
    assert "users.nickname" in texts(project, "schema-drift")
    assert "users.nickname: column in the database, not in the models (text)" in texts(project, "models-match")


def app_copy_without(tmp: Path, revision_file: str) -> dict:
    """The app copied to tmp with one migration file deleted: the profile points there."""
    copy = tmp / "flask_app_copy"
    shutil.copytree(REPO / "examples" / "flask_app", copy,
                    ignore=shutil.ignore_patterns(".venv", "__pycache__"))  # fmt: skip
    (copy / "migrations" / "versions" / revision_file).unlink()
    return {
        "alembic_ini": str(copy / "migrations" / "alembic.ini"),
        "app": {"dir": str(copy), "python": str(REPO / "examples" / "flask_app" / ".venv")},
    }


def test_migration_file_missing_fails_models_match(project, tmp_path):
    run(project, *SUITES, targets=app_copy_without(tmp_path, "0003_wallets_and_ledger.py"))
    # The wallet route then answers 500 to a plain GET: routes-reachable says so (issue 12).
    assert failed_items(project) == {"models-match", "routes-reachable"}
    assert "GET /api/wallet/{user_id}" in texts(project, "routes-reachable")
    assert "wallets" in texts(project, "models-match")


@pytest.fixture
def hand_started() -> Iterator[dict[str, str]]:
    """The app as a Flask team deploys it: flask db upgrade, then gunicorn, by hand."""
    app = AppCode(resolve_target(TARGET, REPO / "targets.toml").app)  # type: ignore[arg-type]
    pg = EmbeddedPostgres.create(None)  # pgvector: the embedded wheel
    server = None
    try:
        pg.start()
        sql(pg.url(), "CREATE DATABASE deployed")
        env = app.environment(pg.url("deployed"))
        for command in app.spec.migrate:
            subprocess.run(app.command(command), cwd=app.spec.dir, env=env, check=True,
                           capture_output=True)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [app.spec.python, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=app.spec.dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_up(f"http://127.0.0.1:{port}/")
        yield {
            "FLASK_BASE_URL": f"http://127.0.0.1:{port}",
            "FLASK_DATABASE_URL": pg.url("deployed"),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        pg.stop()


def test_remote_profile_against_a_hand_started_copy(project, hand_started):
    url = hand_started["FLASK_DATABASE_URL"]
    tables = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
    before = sql(url, tables) + sql(url, "SELECT version_num FROM alembic_version")
    result = project.run(*SUITES, "--target=flask-remote", env=dict(hand_started))
    assert failed_items(project) == set(), result.stdout.str()
    for item in ("health", "routes", "routes-reachable", "migration-head", "schema-drift",
                 "models-match"):  # fmt: skip
        assert project.outcomes_by_item()[item] == {"passed"}, item
    assert sql(url, tables) + sql(url, "SELECT version_num FROM alembic_version") == before


def test_gunicorn_missing_from_the_apps_interpreter_is_exit_4(project):
    """The harness's own venv has no gunicorn: the one line says so and names the interpreter."""
    migrate_nothing = [["{python}", "-c", "pass"]]
    project.set_targets({"targets": {TARGET: {"app": {"python": sys.executable,
                                                       "migrate": migrate_nothing}}}})  # fmt: skip
    result = project.run("suites/test_health.py", f"--target={TARGET}")
    output = result.stdout.str()
    assert result.ret == 4, output
    line = next(ln for ln in output.splitlines() if "CONFIGURATION ERROR (exit 4)" in ln)
    assert "No module named gunicorn" in line and f"interpreter {sys.executable}" in line
    assert project.leftover_clusters() == []


def gunicorns_serving_the_profile() -> list[int]:
    """gunicorn processes (master or worker) serving flask_local's import path."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in cmdline and b"flask_app:create_app()" in cmdline:
            found.append(int(entry.name))
    return found


def test_fastapi_app_cross_checked_against_its_declared_routes(project):
    """app_cross_check on the reference app: OpenAPI and app.routes both equal the list."""
    project.set_targets({"targets": {"local": {"routes": {"app_cross_check": True}}}})
    result = project.run("suites/test_routes.py", "--target=local")
    assert failed_items(project) == set(), result.stdout.str()
    assert "starlette route table of reference_app.main:app" in texts(project, "routes")
    assert "/openapi.json" in texts(project, "routes")
