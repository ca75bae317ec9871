"""Flask backends: [app] wsgi and migrations keys, the WSGI server command, Flask-Migrate's
alembic.ini, and the route table read from the app's own code (Flask url_map; FastAPI routes
as a cross-check of its OpenAPI-derived contract)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from harness.checks.migrations import alembic_config
from harness.checks.routelist import load_expected, routes_spec
from harness.checks.routes import app_declared_routes
from harness.config.targets import resolve_target
from harness.errors import ConfigError
from harness.stack.app import AppProcess
from harness.stack.appcode import AppCode

REPO = Path(__file__).resolve().parents[2]


def local_profile(tmp_path: Path, app_keys: str) -> Path:
    (tmp_path / "app").mkdir(exist_ok=True)
    path = tmp_path / "targets.toml"
    path.write_text(
        textwrap.dedent(
            """
            [targets.t]
            kind = "local"
            [targets.t.app]
            dir = "app"
            """
        )
        + textwrap.dedent(app_keys)
    )
    return path


def test_wsgi_factory_with_flask_migrations_defaults_to_flask_db_upgrade(tmp_path):
    path = local_profile(tmp_path, 'wsgi = "flask_app:create_app()"\nmigrations = "flask"\n')
    spec = resolve_target("t", path).app
    assert spec is not None and spec.wsgi == "flask_app:create_app()" and spec.migrations == "flask"
    assert spec.migrate == (
        ("{python}", "-m", "flask", "--app", "flask_app:create_app()", "db", "upgrade"),
    )
    assert spec.served == "flask_app:create_app()"


def test_wsgi_is_served_by_gunicorn_from_the_apps_interpreter(tmp_path):
    spec = resolve_target("t", local_profile(tmp_path, 'wsgi = "wsgi:app"\n')).app
    assert spec is not None and spec.migrations == "alembic"
    command = AppProcess(spec, {}, tmp_path / "app.log", port=8123).server_command()
    assert command[:3] == [sys.executable, "-m", "gunicorn"]
    assert "127.0.0.1:8123" in command and command[-1] == "wsgi:app"


@pytest.mark.parametrize(
    "keys, words",
    [
        ('wsgi = "not an import path"\n', "app.wsgi"),
        ('wsgi = "m:create_app(debug=True)"\n', "app.wsgi"),
        ('migrations = "flask"\n', "needs wsgi"),
        ('wsgi = "m:app"\nmigrations = "django"\n', "app.migrations"),
    ],
)
def test_bad_wsgi_and_migrations_keys_are_config_errors(tmp_path, keys, words):
    with pytest.raises(ConfigError, match=words):
        resolve_target("t", local_profile(tmp_path, keys))


def test_flask_migrate_ini_without_script_location_names_its_own_folder():
    ini = REPO / "examples" / "flask_app" / "migrations" / "alembic.ini"
    location = alembic_config(ini, REPO / "examples" / "flask_app").get_main_option(
        "script_location"
    )
    assert Path(location or "") == ini.parent.resolve()


def test_fastapi_route_table_matches_the_openapi_contract():
    """The cross-check: the reference app's declared routes equal its OpenAPI snapshot."""
    target = resolve_target("local", REPO / "targets.toml")
    assert target.app is not None
    spec = routes_spec(target)
    declared, source = app_declared_routes(AppCode(target.app))
    assert source.startswith("starlette route table")
    assert spec.keep(declared) == spec.keep(load_expected(spec.expected_file))


def test_flask_url_map_matches_the_expected_list():
    if not (REPO / "examples" / "flask_app" / ".venv" / "bin" / "python").exists():
        pytest.skip("examples/flask_app/.venv missing: scripts/example-venvs.sh flask_app")
    target = resolve_target("flask_local", REPO / "targets.toml")
    assert target.app is not None
    spec = routes_spec(target)
    declared, source = app_declared_routes(AppCode(target.app))
    assert source == "flask route table of flask_app:create_app()"
    assert spec.keep(declared) == load_expected(spec.expected_file)
    assert any(r.path == "/api/users/{user_id}" for r in declared)  # <int:user_id> spelled {}


def test_app_cross_check_is_a_flag(tmp_path):
    path = local_profile(tmp_path, "")
    with path.open("a") as handle:
        handle.write("[targets.t.routes]\napp_cross_check = true\n")
    assert routes_spec(resolve_target("t", path)).app_cross_check is True
    path.write_text(path.read_text().replace("= true", '= "yes"'))
    with pytest.raises(ConfigError, match="app_cross_check"):
        routes_spec(resolve_target("t", path))
