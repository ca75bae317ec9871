"""db-reconnect end to end, on real stacks: a healthy app passes having cut >0 sessions; the
no_pre_ping fault fails exactly that item, naming the routes and the app's engine line; a
route set that reads no database, and a route that answers 5xx before any cut, are not
blamed on the pool; a read-only remote target is not touched."""

from __future__ import annotations

import json
import re

import pytest
from support import REPO

pytestmark = pytest.mark.stack

SUITES = ("suites/test_health.py", "suites/test_db_reconnect.py", "suites/test_routes.py")
ITEM = "db-reconnect"


def _item(project, item: str = ITEM) -> dict:
    return next(t for t in project.results()["tests"] if item in t["checklist"])


def _evidence(project) -> dict:
    return _item(project)["checks"][0]["evidence"]


def _engine_line() -> str:
    """Where the reference app calls create_async_engine (read, not hard-coded)."""
    lines = (REPO / "examples/reference_app/reference_app/db.py").read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "return create_async_engine(" in line)
    return f"reference_app/db.py:{number}"


@pytest.mark.parametrize("target", ["local", "ledger", "flask_local"])
def test_healthy_app_recovers_having_cut_its_sessions(project, target):
    project.run(*SUITES, f"--target={target}")
    outcomes = project.outcomes_by_item()
    assert outcomes[ITEM] == {"passed"}, _item(project)
    assert outcomes["routes-reachable"] == {"passed"}  # no dead connection left for it
    evidence = _evidence(project)
    assert evidence["terminated_sessions"] > 0 and evidence["answers"], evidence
    assert evidence["rewarm"]["healthy"] is True
    summary = _item(project)["checks"][0]["summary"]
    assert re.match(
        r"all \d+ route\(s\) that read the database answered without 5xx after [1-9]", summary
    )
    # It ran after every other item but cleanup: nothing else met its cut connections.
    items = [t["checklist"][0] for t in project.results()["tests"]]
    assert items[-1] == ITEM, items


def test_no_pre_ping_fault_fails_naming_the_routes_and_the_engine_line(project):
    result = project.run(*SUITES, faults="no_pre_ping")
    assert project.failed_items() == {ITEM}, result.stdout.str()
    routes = (
        "*[[]db-reconnect[]] * route(s) answered 5xx right after the app's database "
        "connections were cut: GET /api/*: HTTP 5*"
    )
    remedy = (
        f"*remedy: create_async_engine(...) in {_engine_line()} passes pool_pre_ping=pre_ping: "
        "make it True where the app runs*"
    )
    result.stdout.fnmatch_lines([routes, remedy])
    assert result.ret == 0  # optional item: a failure does not gate the run
    assert _evidence(project)["rewarm"]["healthy"] is True


def test_no_route_that_reads_the_database_is_not_run(project, tmp_path):
    """Only the documentation routes, which FastAPI answers without the database (and the
    health route, which reads it, ignored): cutting sessions would prove nothing."""
    expected = tmp_path / "docs_only.json"
    expected.write_text(json.dumps({"routes": ["GET /docs", "GET /openapi.json"]}))
    project.set_targets({"targets": {"local": {"routes": {
        "expected": str(expected), "ignore": ["/api/health"]}}}})  # fmt: skip
    project.run("suites/test_db_reconnect.py", faults="no_pre_ping")
    test = _item(project)
    assert test["outcome"] == "skipped", test
    assert test["message"].startswith("not run: no route reads the database"), test
    assert "2 caused no database activity" in test["message"]


def test_a_route_failing_before_the_cut_is_not_blamed_on_the_pool(project):
    """health_500: the health route answers 500 whatever the pool does. It is not judged;
    every route that reads the database recovers, so the item passes and says why."""
    project.run("suites/test_db_reconnect.py", faults="health_500")
    test = _item(project)
    assert test["outcome"] == "passed", test
    evidence = _evidence(project)
    assert evidence["not_judged"] == {"GET /api/health": "HTTP 500 before any cut"}
    assert "/api/health" not in evidence["answers"]


def test_allow_5xx_and_ignore_are_not_sent(project):
    project.set_targets({"targets": {"local": {"routes": {
        "allow_5xx": ["/api/health"], "ignore": ["/docs*", "/redoc*", "/openapi.json", "/api/wallet/*"]}}}})  # fmt: skip
    project.run("suites/test_db_reconnect.py", faults="health_500")
    assert _item(project)["outcome"] == "passed"
    evidence = _evidence(project)
    assert evidence["left_out"]["GET /api/health"] == "allow_5xx"
    assert evidence["left_out"]["GET /api/wallet/supply"] == "ignore"
    assert not any(p.startswith(("/api/wallet", "/api/health")) for p in evidence["answers"])


def test_read_only_remote_target_is_not_touched(project):
    project.set_targets({"targets": {"ro": {
        "kind": "remote", "base_url": "http://127.0.0.1:9",
        "database_url": "postgresql://app:pw@127.0.0.1:9/app", "health": {"wait_timeout_s": 0.5},
    }}})  # fmt: skip
    project.run("suites/test_db_reconnect.py", "--target=ro")
    test = _item(project)
    assert test["outcome"] == "na" and "allow_writes = true" in test["message"], test
