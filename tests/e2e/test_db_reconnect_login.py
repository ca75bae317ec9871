"""db-reconnect on an app whose every database-reading route needs a login (corpus gap 9):
examples/template_app, its health route reads no database and its other GET routes answer
401 without a token. With ``[auth]`` in the profile the item sends the login's token, so it
runs: a pass on the healthy app, a fail naming the routes with the no_pre_ping fault.
Without ``[auth]`` it is "not run" (nothing it may send reads the database)."""

from __future__ import annotations

import pytest
from support import example_venv

pytestmark = pytest.mark.stack

SUITES = ("suites/test_db_reconnect.py",)
ITEM = "db-reconnect"


@pytest.fixture
def template(project):
    example_venv("template_app")
    return project


def _item(project) -> dict:
    return next(t for t in project.results()["tests"] if ITEM in t["checklist"])


def test_with_the_login_the_routes_that_need_it_are_judged(template):
    template.run(*SUITES, "--target=template")
    test = _item(template)
    assert test["outcome"] == "passed", test
    answers = test["checks"][0]["evidence"]["answers"]
    assert "/api/v1/users/me" in answers, answers  # 401 without the token


def test_with_the_login_a_pool_without_pre_ping_fails(template):
    result = template.run(*SUITES, "--target=template", env={"TEMPLATE_APP_FAULTS": "no_pre_ping"})
    assert template.failed_items() == {ITEM}, result.stdout.str()
    result.stdout.fnmatch_lines([
        ("*[[]db-reconnect[]] * route(s) answered 5xx right after the app's database connections "
        "were cut: GET /api/v1/*: HTTP 500*"),
    ])  # fmt: skip


def test_without_the_login_it_is_not_run(template):
    profile = template.path / "targets.toml"
    text = profile.read_text()
    start = text.index("[targets.template.auth.login]")
    end = text.index("[targets.template.routes]")
    profile.write_text(text[:start] + text[end:])
    template.run(*SUITES, "--target=template")
    test = _item(template)
    assert test["outcome"] == "skipped", test
    assert test["message"].startswith("not run: no route reads the database"), test
