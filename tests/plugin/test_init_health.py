"""init's health route (only routes that exist), the cause line of a failed import, and the
Flask redirect hook the probe names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.checks.routelist import Route
from harness.init.app_probe import Served
from harness.init.cause import cause_line, connects_at_import
from harness.init.health import LiveAnswer, choose_health
from harness.init.probe import HTML

REPO = Path(__file__).resolve().parents[2]
FLASK_PYTHON = REPO / "examples" / "flask_app" / ".venv" / "bin" / "python"


def served(*paths: str, bodies: dict | None = None) -> Served:
    return Served("flask", None, [Route("GET", p) for p in paths], bodies or {})


def test_a_health_route_with_a_literal_ok_is_judged_by_its_body() -> None:
    choice = choose_health(
        served("/", "/api/healthz", bodies={"/api/healthz": [{"status": "ok", "n": 1}]})
    )
    assert (choice.path, choice.expect, choice.status_only, choice.todo) == (
        "/api/healthz",
        {"status": "ok"},
        False,
        None,
    )


def test_an_html_page_standing_in_is_status_only_and_said() -> None:
    choice = choose_health(served("/posts", "/", "/posts/{id}", bodies={"/": [HTML]}))
    assert choice.path == "/" and choice.status_only and choice.expect is None
    assert choice.todo is not None and "no health route: GET / stands in" in choice.todo


def test_never_a_route_the_app_does_not_serve() -> None:
    choice = choose_health(served("/posts/{id}"))
    assert (
        choice.path == "/"
        and choice.todo is not None
        and "no GET route without parameters" in choice.todo
    )
    choice = choose_health(served("/items", "/about-us"))
    assert choice.path == "/items" and "/api/health" not in str(choice)  # the shortest that exists


def test_a_health_route_whose_body_is_unknown_is_status_only_with_a_todo() -> None:
    choice = choose_health(served("/health", bodies={"/health": [{"detail": "x"}]}))
    assert (
        choice.status_only
        and choice.todo is not None
        and "could not read what /health answers" in choice.todo
    )


def test_live_answers_decide_when_init_saw_the_app_served() -> None:
    page = LiveAnswer(200, "text/html; charset=utf-8", "<!doctype html><h1>Board</h1>")
    assert choose_health(served("/", "/posts"), {"/": page}).status_only
    ok = LiveAnswer(200, "application/json", '{"status": "healthy", "db": "up"}')
    assert choose_health(served("/healthz"), {"/healthz": ok}).expect == {"status": "healthy"}
    moved = LiveAnswer(302, "text/html", "", "/setup")
    choice = choose_health(served("/", "/setup"), {"/": moved})
    assert (
        choice.todo is not None
        and "302, a redirect to /setup" in choice.todo
        and "setup page" in choice.todo
    )


def test_a_redirecting_stand_in_gives_way_to_the_page_it_leads_to() -> None:
    moved = LiveAnswer(302, "text/html", "", "http://127.0.0.1:5000/auth/login?next=%2F")
    page = LiveAnswer(200, "text/html; charset=utf-8", "<form></form>")
    live = {"/": moved, "/auth/login": page}
    choice = choose_health(served("/", "/auth/login", "/explore"), live)
    assert (choice.path, choice.status_only) == ("/auth/login", True)
    assert choice.todo is not None and "GET / redirects (302) to /auth/login" in choice.todo
    elsewhere = LiveAnswer(302, "text/html", "", "https://sso.example.com/login")
    choice = choose_health(served("/", "/about"), {"/": elsewhere, "/about": page})
    assert choice.path == "/about"  # another host is no page of this app: the next GET


def test_a_stand_in_that_needs_a_token_gives_way_to_the_api_document() -> None:
    denied = LiveAnswer(401, "application/json", '{"msg": "Missing Authorization Header"}')
    document = LiveAnswer(200, "application/json", '{"openapi": "3.1.0", "paths": {}}')
    api = Served("flask", None, [Route("GET", p) for p in ("/item", "/store", "/openapi.json")])
    live = {"/item": denied, "/store": LiveAnswer(200, "application/json", "[]"),
            "/openapi.json": document}  # fmt: skip
    choice = choose_health(api, live)
    assert (choice.path, choice.expect, choice.status_only) == ("/openapi.json", None, True)
    assert choice.todo is not None and "GET /item answers 401 without a token" in choice.todo
    assert "(only its status is judged)" in choice.todo


def test_no_route_answering_200_leaves_a_todo_naming_what_was_tried() -> None:
    denied = LiveAnswer(403, "application/json", "{}")
    choice = choose_health(served("/a", "/bb"), {"/a": denied, "/bb": denied})
    assert choice.path == "/a" and choice.status_only
    assert choice.todo is not None and "no route init tried answers 200 without a token (/a 403, /bb 403)" in choice.todo


PYDANTIC = """Traceback (most recent call last):
  File "/app/main.py", line 3, in <module>
    settings = Settings()
pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings
PRODUCTION
  Field required [type=missing, input_value={}, input_type=dict]
    For further information visit https://errors.pydantic.dev/2.7/v/missing
"""


def test_the_cause_line_is_the_exception_with_its_fields_not_the_last_line() -> None:
    assert cause_line(PYDANTIC) == (
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings: PRODUCTION: Field required"
    )
    assert cause_line("Traceback:\n  x\nModuleNotFoundError: No module named 'jose'\n") == (
        "ModuleNotFoundError: No module named 'jose'"
    )
    refused = "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: port 9 failed"
    assert connects_at_import(refused) and not connects_at_import(PYDANTIC)


def test_init_shows_the_cause_of_a_failed_import(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "raise ValueError('1 validation error for Settings\\nPRODUCTION\\n  Field required [type=missing]\\n"
        "    For further information visit https://errors.pydantic.dev/2.7/v/missing')\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "harness", "init", "--yes", "--no-check", "--python", sys.executable],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (line,) = [ln for ln in run.stdout.splitlines() if ln.startswith("TODO: importing main:app")]
    assert "ValueError: 1 validation error for Settings: PRODUCTION: Field required" in line
    assert "For further information" not in line
    assert (
        "TODO: the app's routes are unknown: / stands in" in run.stdout
    )  # never a silent /api/health


@pytest.mark.skipif(
    not FLASK_PYTHON.exists(),
    reason="not run: examples/flask_app/.venv not built (scripts/dev-setup.sh)",
)
def test_a_setup_redirect_hook_is_named(tmp_path: Path) -> None:
    from harness.init.app_probe import probe_app

    app = tmp_path / "wiki"
    shutil.copytree(REPO / "tests" / "init_shapes" / "setup_redirect", app)
    answer = probe_app(FLASK_PYTHON, app, "wiki:app", {})
    assert answer.redirects == ["wiki.require_setup"]
    assert answer.bodies["/"] == ["<h1>Wiki</h1>"]
