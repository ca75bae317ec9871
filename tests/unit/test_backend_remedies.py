"""Remedies in the app's own words (issue 25.9): harness.checks.backend."""

from __future__ import annotations

from pathlib import Path

from harness.checks.backend import Backend, backend_of
from harness.checks.routelist import Route
from harness.checks.routes import compare_routes
from harness.config.app import AppSpec

FLASK = AppSpec(Path("."), wsgi="flask_app:create_app()", migrations="flask")


def test_the_profile_says_which_backend():
    assert backend_of(None) == Backend()
    assert backend_of(AppSpec(Path("."))) == Backend("fastapi")
    assert backend_of(FLASK) == Backend("flask", "flask --app 'flask_app:create_app()' db")
    assert backend_of(AppSpec(Path("."), wsgi="wsgi:app")) == Backend("flask")  # Flask with plain alembic
    assert backend_of(AppSpec(Path("."), wsgi="wsgi:app", migrations="flask", env={"FLASK_APP": "wsgi"})).cli == "flask db"


def test_flask_migrate_commands_and_alembics_unchanged():
    assert backend_of(FLASK).upgrade == "flask --app 'flask_app:create_app()' db upgrade"
    assert backend_of(FLASK).autogenerate == "flask --app 'flask_app:create_app()' db migrate"
    assert Backend("fastapi").upgrade == Backend().upgrade == "alembic upgrade head"


def test_routes_remedy_names_only_the_apps_framework():
    expected = [Route("GET", "/api/users"), Route("GET", "/api/items")]
    served = [Route("GET", "/api/users")]
    flask = compare_routes(served, expected, "x", Backend("flask")).remediation or ""
    fastapi = compare_routes(served, expected, "x", Backend("fastapi")).remediation or ""
    either = compare_routes(served, expected, "x").remediation or ""
    assert "register_blueprint" in flask and "include_router" not in flask
    assert "include_router" in fastapi and "register_blueprint" not in fastapi
    assert "include_router" in either and "register_blueprint" in either


def test_drift_and_replay_remedies_name_the_apps_migrate_commands():
    from harness.checks.schema import judge_drift, replay_failed

    live = {"tables": {"users": "", "hand_made": ""}}
    replayed = {"tables": {"users": ""}}
    flask_drift = judge_drift(live, replayed, ["0002"], backend_of(FLASK)).remediation or ""
    plain_drift = judge_drift(live, replayed, ["0002"]).remediation or ""
    assert "flask --app 'flask_app:create_app()' db migrate" in flask_drift and "alembic revision" not in flask_drift
    assert "alembic revision --autogenerate" in plain_drift
    flask_replay = replay_failed(RuntimeError("boom"), ["0002"], backend_of(FLASK)).remediation or ""
    assert "flask --app 'flask_app:create_app()' db upgrade" in flask_replay
    assert "alembic upgrade head" in (replay_failed(RuntimeError("boom"), ["0002"]).remediation or "")
    from harness.messages.core import Message

    assert isinstance(replay_failed(RuntimeError("boom"), ["0002"]).summary, Message)  # Japanese from its id
