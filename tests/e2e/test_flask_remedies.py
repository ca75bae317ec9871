"""Remedies in the app's own words (issue 25.9): examples/flask_app (flask_local: gunicorn,
Flask-Migrate, no OpenAPI) one revision behind and with its blueprint unregistered gets
``flask db upgrade`` and ``register_blueprint``, never ``alembic upgrade head`` or
``include_router``; the routes item's title does not claim OpenAPI.
"""

from __future__ import annotations

import json

import pytest
from support import example_venv

pytestmark = pytest.mark.stack

SUITES = ("suites/test_routes.py", "suites/test_database.py")
FLASK_DOWNGRADE = """
import os, subprocess
from harness.stack.appcode import database_variables
def pytest_harness_stack_ready(config, target, addresses):
    env = {**os.environ, **database_variables(target.app.database_env, addresses.database_url)}
    subprocess.run([target.app.python, "-m", "flask", "--app", target.app.wsgi, "db", "downgrade"],
                   cwd=target.app.dir, env=env, check=True, capture_output=True)
"""
UPGRADE = "flask --app 'flask_app:create_app()' db upgrade"


@pytest.fixture(scope="module", autouse=True)
def flask_venv() -> None:
    example_venv("flask_app")


def remedies(project) -> dict[str, str]:
    payload = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return {i["id"]: " ".join(i.get("remediation") or []) for i in payload["items"]} | {
        f"{i['id']}:title": i["title"]["en"] for i in payload["items"]}  # fmt: skip


def test_a_flask_app_gets_flask_db_upgrade_and_register_blueprint(project):
    project.add_hook(FLASK_DOWNGRADE)
    result = project.run(*SUITES, "--target=flask_local", env={"FLASK_APP_FAULTS": "blueprint_not_registered"})
    failed = {i for i, o in project.outcomes_by_item().items() if "failed" in o}
    assert {"migration-head", "routes", "routes-reachable"} <= failed, result.stdout.str()[-3000:]
    said = remedies(project)
    assert said["migration-head"].startswith(f"{UPGRADE} (in the release step"), said["migration-head"]
    assert "register_blueprint" in said["routes"] and "include_router" not in said["routes"]
    assert "register_blueprint" in said["routes-reachable"] and "include_router" not in said["routes-reachable"]
    assert not any("alembic upgrade head" in text for text in said.values())
    assert "(OpenAPI)" not in said["routes:title"]
