"""The shipped staging profile against a hand-started reference app.

A module fixture brings the reference app up the way a deployment would be (embedded
PostgreSQL + pgvector, migrations, uvicorn on 127.0.0.1) and the harness then runs
``pytest --target=staging`` with STAGING_BASE_URL / STAGING_DATABASE_URL pointing at it,
exactly as the nightly job does: 0 when healthy, 1 on a fault, 75 when it is down.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url
from support import EXIT_BLOCKED, REPO, example_venv, start_reference_stack

from harness.stack import StackAddresses


@pytest.fixture(scope="module")
def healthy_app() -> Iterator[StackAddresses]:
    stack, addresses = start_reference_stack("")
    yield addresses
    stack.stop()


def sign_off_manual_items(folder) -> subprocess.CompletedProcess[str]:
    """Both manual items ticked done, as a release manager would."""
    signoff = subprocess.run(
        [sys.executable, "-m", "harness", "signoff", str(folder), "--by", "Aiko Sato",
         "--manual", "docs-updated=done", "--manual", "release-notes=done"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert signoff.returncode == 0, signoff.stderr
    return signoff


def run_staging(project, addresses: StackAddresses | None, base_url: str = "") -> pytest.RunResult:
    env = {
        "STAGING_BASE_URL": base_url or (addresses.base_url if addresses else ""),
        "STAGING_DATABASE_URL": addresses.database_url if addresses else "",
    }
    return project.run("--target=staging", env=env, timeout=300)


def items(project) -> dict[str, dict]:
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return {item["id"]: item for item in checklist["items"]}


def test_healthy_staging_exits_0_with_wallet_items_na(project, healthy_app):
    result = run_staging(project, healthy_app)
    by_id = items(project)
    assert result.ret == 0, {k: (v["status"], v["reason"]) for k, v in by_id.items()}
    assert by_id["wallet-reward"]["status"] == "na"
    assert by_id["wallet-idempotent"]["status"] == "na"
    assert all(i["status"] in ("pass", "na") for i in by_id.values() if not i["manual"])
    # Once the manual items are signed the healthy app is at 100 %: n/a is left out of N/M.
    folder = project.report_dirs()[-1]
    sign_off_manual_items(folder)
    summary = json.loads((folder / "checklist.json").read_text())["summary"]
    assert (summary["done"], summary["total"], summary["percent"]) == (12, 12, 100.0)  # 16 less 4 n/a (wallet items, db-reconnect, migration-roundtrip: nothing pending)


def test_stopped_staging_exits_75_blocked(project):
    # Nothing listens on port 9: the same outage the nightly job's retry is for.
    project.set_targets({"targets": {"staging": {"health": {"wait_timeout_s": 0.5}}}})
    result = run_staging(project, None, base_url="http://127.0.0.1:9")
    assert result.ret == EXIT_BLOCKED, result.stdout.str()
    assert items(project)["health"]["status"] == "blocked"
    assert project.results()["status"] == "blocked"


def test_a_fault_on_staging_exits_1(project):
    stack, addresses = start_reference_stack("health_wrong_body")
    try:
        result = run_staging(project, addresses)
    finally:
        stack.stop()
    assert result.ret == 1, result.stdout.str()
    assert items(project)["health"]["status"] == "fail"


def test_a_wrong_database_password_is_exit_4_not_blocked(project, healthy_app):
    bad = make_url(healthy_app.database_url).set(password="WrongPw-1").render_as_string(hide_password=False)
    env = {"STAGING_BASE_URL": healthy_app.base_url, "STAGING_DATABASE_URL": bad}
    result = project.run("--target=staging", env=env, timeout=300)
    assert result.ret == 4, result.stdout.str()
    results = project.results()
    assert "password authentication failed" in results["blocked_reason"]
    assert "WrongPw-1" not in json.dumps(results)
    assert items(project)["migration-head"]["status"] == "blocked"  # nothing judged; a person must act


def test_health_503_for_the_whole_wait_fails_with_its_body_exit_1(project):
    stack, addresses = start_reference_stack("")
    try:
        assert stack.postgres is not None
        stack.postgres.stop()  # the app keeps running and says 503 {"database": "error: ..."}
        project.set_targets({"targets": {"staging": {"health": {"wait_timeout_s": 1.0}}}})
        result = run_staging(project, addresses)
    finally:
        stack.stop()
    assert result.ret == 1, result.stdout.str()
    health = items(project)["health"]
    assert health["status"] == "fail"
    assert "answered HTTP 503" in health["reason"]
    assert any(check["evidence"]["body"]["database"].startswith("error") for check in health["evidence"])


def test_healthy_template_app_exits_0_and_reaches_100_percent_with_na_items(project):
    # The app's own venv (built when missing, as the other example-app tests do) and Debian's
    # PostgreSQL (scripts/dev-setup.sh installs it).
    example_venv("template_app")
    result = project.run("--target=template", timeout=600)
    by_id = items(project)
    assert result.ret == 0, {k: (v["status"], v["reason"]) for k, v in by_id.items()}
    assert {k for k, v in by_id.items() if v["status"] == "na"} == {
        "pgvector", "pgvector-usable", "wallet-reward", "wallet-idempotent", "parity"}
    assert by_id["pgvector"]["reason"] == "n/a: the app stores no vectors"
    signoff = sign_off_manual_items(project.report_dirs()[-1])
    assert "12/12 items (100.0%)" in signoff.stdout
