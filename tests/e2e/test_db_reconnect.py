"""db-reconnect end to end: the reference app passes; the no_pre_ping fault fails exactly
that item, naming the routes and the remedy; a read-only remote target does not run it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack

SUITES = ("suites/test_health.py", "suites/test_db_reconnect.py")


def _item(project, item: str) -> dict:
    return next(t for t in project.results()["tests"] if item in t["checklist"])


def test_reference_app_recovers_from_cut_connections(project):
    result = project.run(*SUITES)
    result.assert_outcomes(passed=2)
    assert project.outcomes_by_item() == {"health": {"passed"}, "db-reconnect": {"passed"}}


def test_no_pre_ping_fault_fails_db_reconnect_only(project):
    result = project.run(*SUITES, faults="no_pre_ping")
    assert project.failed_items() == {"db-reconnect"}, result.stdout.str()
    result.stdout.fnmatch_lines(
        [("*[[]db-reconnect[]] * route(s) answered 5xx right after the app's database "
          "connections were cut: GET /api/*: HTTP 5*"), "*remedy:*pool_pre_ping*"]
    )  # fmt: skip
    assert result.ret == 0  # optional item: a failure does not gate the run


def test_read_only_remote_target_is_not_touched(project):
    project.set_targets({"targets": {"ro": {
        "kind": "remote", "base_url": "http://127.0.0.1:9",
        "database_url": "postgresql://app:pw@127.0.0.1:9/app", "health": {"wait_timeout_s": 0.5},
    }}})  # fmt: skip
    project.run("suites/test_db_reconnect.py", "--target=ro")
    test = _item(project, "db-reconnect")
    assert test["outcome"] == "na" and "allow_writes = true" in test["message"], test
