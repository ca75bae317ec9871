"""Verdicts a release can trust: profile typos, n/a items, exit codes by one rule.

Each test runs the real harness in a subprocess (tests/support.HarnessProject). The remote
targets here point at 127.0.0.1:9, which answers nothing: a run that reaches for it is
blocked, so a test that expects exit 4 also proves nothing was tried.
"""

from __future__ import annotations

import json

import pytest
from support import EXIT_BLOCKED

DEAD = {"kind": "remote", "base_url": "http://127.0.0.1:9", "health": {"wait_timeout_s": 0.5}}


def run_remote(project, profile: dict, *args: str) -> pytest.RunResult:
    project.set_targets({"targets": {"remote": {**DEAD, **profile}}})
    return project.run("--target=remote", *args, timeout=120)


def one_line_usage_error(result: pytest.RunResult) -> str:
    assert result.ret == 4, result.stdout.str() + result.stderr.str()
    lines = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(lines) == 1, result.stderr.str()
    assert "Traceback" not in result.stderr.str() and "INTERNALERROR" not in result.stdout.str()
    return lines[0]


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        ({"producton": True}, "unknown key 'producton'. Hint: did you mean 'production'?"),
        ({"databse_url": "postgresql://u@127.0.0.1/x"}, "did you mean 'database_url'?"),
        ({"helth": {"path": "/h"}}, "unknown section 'helth'. Hint: did you mean 'health'?"),
        ({"health": {"budget_s": "fast"}}, "health.budget_s: expected a number, got 'fast'"),
        ({"health": {"budget_s": -1}}, "health.budget_s: -1 is out of range"),
        ({"retries": -2}, "retries: -2 is out of range"),
        ({"production": True, "allow_writes": True}, "production = true contradicts allow_writes = true"),
        ({"checks": {"not_applicable": {"pgvectr": "no vectors"}}}, "did you mean 'pgvector'?"),
        ({"checks": {"not_applicable": {"pgvector": ""}}}, "with a reason for each item"),
    ],
)
def test_a_profile_mistake_is_one_line_exit_4_and_a_blocked_report(project, profile, words):
    line = one_line_usage_error(run_remote(project, profile))
    assert words in line
    results = project.results()
    assert results["exit_status"] == 4 and results["status"] == "blocked"
    assert words in results["blocked_reason"]


def test_not_applicable_items_show_their_reason_and_do_not_gate(project):
    reasons = {"pgvector": "the app stores no vectors", "pgvector-usable": "the app stores no vectors"}
    result = run_remote(project, {"checks": {"not_applicable": reasons}}, "-k", "pgvector")
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    items = {item["id"]: item for item in checklist["items"]}
    assert items["pgvector"]["status"] == "na"
    assert items["pgvector"]["reason"] == "n/a: the app stores no vectors"
    assert checklist["summary"]["total"] == len(items) - 3  # n/a is left out of N/M (parity too: no counterpart)
    assert "pgvector" not in checklist["summary"]["required_not_passing"]
    assert {t["outcome"] for t in project.results()["tests"]} == {"na"}
    assert result.ret == 0, result.stdout.str()
    markdown = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "n/a: the app stores no vectors" in markdown


def test_an_unreachable_read_only_target_is_blocked_75_not_failed(project):
    # Writes not allowed: the wallet items are n/a, and every other item is blocked.
    result = run_remote(project, {"allow_writes": False})
    assert result.ret == EXIT_BLOCKED, result.stdout.str()
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    items = {item["id"]: item for item in checklist["items"]}
    assert items["wallet-reward"]["status"] == "na"
    assert "writes not allowed" in items["wallet-reward"]["reason"]
    assert items["health"]["status"] == "blocked"
    assert project.results()["status"] == "blocked"


STOPPING_TEST = '''
import os, signal, time
import pytest

@pytest.mark.checklist("health")
def test_stopped_mid_test():
    os.kill(os.getpid(), signal.{signal})
    time.sleep(30)  # never reached: the signal ends the test here
'''


def test_a_test_stopped_by_sigterm_is_interrupted_never_passed(project):
    (project.path / "suites" / "test_stop.py").write_text(STOPPING_TEST.format(signal="SIGTERM"))
    result = run_remote(project, {}, "suites/test_stop.py")
    assert result.ret == 2, result.stdout.str()
    results = project.results()
    assert results["status"] == "interrupted"
    assert [t["outcome"] for t in results["tests"]] == ["interrupted"]
    assert items_of(project)["health"]["status"] == "interrupted"
    markdown = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "The run was interrupted" in markdown


def test_a_sigkilled_run_leaves_a_results_json_that_says_interrupted(project):
    (project.path / "suites" / "test_stop.py").write_text(STOPPING_TEST.format(signal="SIGKILL"))
    result = run_remote(project, {}, "suites/test_stop.py")
    assert result.ret == -9
    results = project.results()
    assert results["status"] == "interrupted" and results["exit_status"] == 2


def items_of(project) -> dict[str, dict]:
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return {item["id"]: item for item in checklist["items"]}


def test_an_app_that_cannot_import_is_exit_4_not_blocked(project):
    project.set_targets({"targets": {"local": {"app": {"asgi": "reference_app.no_such_module:app"}}}})
    result = project.run("suites/test_health.py", timeout=300)
    assert result.ret == 4, result.stdout.str()
    assert items_of(project)["health"]["status"] == "blocked"
    assert "no_such_module" in result.stdout.str()


def test_a_missing_alembic_ini_is_one_line_exit_4(project):
    line = one_line_usage_error(run_remote(project, {"alembic_ini": "nowhere/alembic.ini"}))
    assert "alembic_ini:" in line and "does not exist" in line
