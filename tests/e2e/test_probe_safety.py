"""Probing never runs a destructive handler (issue 23), on examples/template_app with its
real JWT login and ``allow_writes = true``: every account and row is as it was after the run.
And a login whose account stops authenticating during the run fails routes-reachable, both
right after the probes and at the end of the run.
"""

from __future__ import annotations

import json

import pytest
from support import example_venv

pytestmark = pytest.mark.stack

SUITES = ("suites/test_routes.py",)
# The template profile (targets.toml) logs in as the seeded superuser; its routes include
# DELETE /api/v1/users/me, which deletes the caller.
SNAPSHOT = """
import json, psycopg
from pathlib import Path
_URL = {}
def _snapshot(name):
    with psycopg.connect(_URL["db"]) as connection:
        tables = {t: [list(map(str, row)) for row in connection.execute(f'SELECT * FROM {t} ORDER BY id')]
                  for t in ('"user"', 'item')}
    Path(name).write_text(json.dumps(tables))
def pytest_harness_stack_ready(config, target, addresses):
    _URL["db"] = addresses.database_url
    _snapshot("before.json")
def pytest_sessionfinish(session):
    if "db" in _URL:
        _snapshot("after.json")
"""
DELETE_ADMIN_AFTER_PROBES = """
def pytest_runtest_teardown(item):
    if item.name == "test_expected_routes_reachable":
        with psycopg.connect(_URL["db"], autocommit=True) as connection:
            connection.execute('DELETE FROM "user" WHERE email = %s', ("admin@example.com",))
"""


@pytest.fixture
def template(project):
    example_venv("template_app")
    project.add_hook(SNAPSHOT)
    return project


def snapshots(project) -> tuple[dict, dict]:
    return tuple(
        json.loads((project.path / name).read_text()) for name in ("before.json", "after.json")
    )


def checks_of(project, item: str) -> list[dict]:
    return [c for t in project.results()["tests"] for c in t["checks"] if c["item"] == item]


def test_a_write_mode_run_with_the_real_login_leaves_every_account_and_row(template):
    result = template.run(*SUITES, "--target=template")
    before, after = snapshots(template)
    assert before['"user"'], "the seeded superuser is there to start with"
    assert after == before, result.stdout.str()
    assert template.failed_items() == set(), result.stdout.str()
    reach = checks_of(template, "routes-reachable")
    probes = reach[0]["evidence"]["writing_probes"]
    assert "write" not in probes and probes.get("malformed-body", 0) >= 2, probes
    assert reach[0]["evidence"]["auth_witness"]["without"] == 401
    # The end-of-run check asked the witness again and recorded it as a test of the item.
    assert any("still authenticates at the end of the run" in c["summary"] for c in reach), reach


def test_an_account_deleted_during_the_probes_fails_routes_reachable(template):
    # The fault makes even an OPTIONS probe of /users/me delete the caller.
    result = template.run(
        *SUITES, "--target=template", env={"TEMPLATE_APP_FAULTS": "options_deletes_caller"}
    )
    assert result.ret == 1
    assert "routes-reachable" in template.failed_items()
    result.stdout.fnmatch_lines([
        ("*[[]routes-reachable[]] the login's account no longer authenticates: GET /api/v1/* answered "
         "HTTP 200 with its credentials before the probes and HTTP 404 after*User not found*"),
    ])  # fmt: skip


def test_an_account_deleted_after_the_probes_fails_the_run_at_its_end(template):
    template.add_hook(DELETE_ADMIN_AFTER_PROBES)
    result = template.run(*SUITES, "--target=template")
    assert result.ret == 1
    end = [t for t in template.results()["tests"] if t["nodeid"].startswith("harness: end of run")]
    assert [t["outcome"] for t in end] == ["failed"]
    summary = end[0]["checks"][0]["summary"]
    assert summary.startswith("the login's account no longer authenticates: the login now fails"), (
        summary
    )
    assert "hv-local-only-pw" not in result.stdout.str() + json.dumps(template.results())
    result.stdout.fnmatch_lines(
        ["harness: FAILED [[]routes-reachable[]] the login's account no longer authenticates*"]
    )
