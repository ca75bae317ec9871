"""init's static findings on the example apps (no venv, no subprocess: fast)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from harness.checks.routelist import Route
from harness.init.app_probe import Served, health_route, login_route, path_param_values
from harness.init.detect import detect
from harness.init.profile import Plan, render

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_reference_app() -> None:
    found = detect(EXAMPLES / "reference_app")
    assert found.alembic_ini == EXAMPLES / "reference_app" / "alembic.ini"
    assert found.asgi == "reference_app.main:app"
    assert found.database_env == {"DATABASE_URL": "{url}"}
    assert found.models == "reference_app.models:Base.metadata"
    assert "vector" in found.extensions


def test_template_app_reads_postgres_parts_and_its_prestart() -> None:
    found = detect(EXAMPLES / "template_app")
    assert found.asgi == "app.main:app"
    assert found.database_env == {
        "POSTGRES_SERVER": "{host}", "POSTGRES_PORT": "{port}", "POSTGRES_USER": "{user}",
        "POSTGRES_PASSWORD": "{password}", "POSTGRES_DB": "{database}",
    }  # fmt: skip
    assert found.models == "app.models:SQLModel.metadata"
    # scripts/prestart.sh: wait (skipped: the harness waits), migrate, seed
    assert found.migrate == [
        ["{python}", "-m", "alembic", "upgrade", "head"],
        ["{python}", "-m", "app.initial_data"],
    ]
    assert "uuid-ossp" in found.extensions and "vector" not in found.extensions


def test_ledger_app_lazy_app_and_prefixed_url_variable() -> None:
    found = detect(EXAMPLES / "ledger_app")
    assert found.asgi == "ledger_app.main:app"  # built by the module's __getattr__
    assert found.database_env == {"LEDGER_DATABASE_URL": "{url}"}
    assert found.models == "ledger_app.models:Base.metadata"


def test_nothing_found_is_said(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("print('hello')\n")
    found = detect(tmp_path)
    assert found.alembic_ini is None and found.asgi is None
    joined = "\n".join(found.todo)
    for word in ("alembic.ini", "[app] asgi", "database_env", ".venv"):
        assert word in joined


def test_a_venv_beside_the_app_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\n\napi = FastAPI()\n")
    lib = tmp_path / ".hv" / "lib" / "python3.11" / "x"  # the harness's venv, any name
    lib.mkdir(parents=True)
    (tmp_path / ".hv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (lib / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (lib / "alembic.ini").write_text("[alembic]\n")
    found = detect(tmp_path)
    assert found.asgi == "main:api" and found.alembic_ini is None


@pytest.mark.parametrize(
    ("bodies", "expect"),
    [([{"status": "ok", "db": "up"}], {"status": "ok"}), ([True], True), ([{"detail": "x"}], None)],
)
def test_health_expectation(bodies: list[object], expect: object) -> None:
    served = Served(
        "fastapi",
        "/openapi.json",
        [Route("GET", "/api/v1/utils/health-check/")],
        {"/api/v1/utils/health-check/": bodies},
    )
    assert health_route(served) == ("/api/v1/utils/health-check/", expect)


def test_login_and_path_params() -> None:
    routes = [
        Route("POST", "/api/v1/login/access-token"),
        Route("POST", "/api/v1/login/test-token"),
        Route("GET", "/items/{id}"),
        Route("GET", "/users/{user_id}"),
        Route("GET", "/o/{owner}"),
    ]
    served = Served(
        "fastapi",
        None,
        routes,
        {},
        {"id": "uuid", "user_id": "integer"},
        {"/api/v1/login/access-token"},
    )
    assert login_route(served) == ("/api/v1/login/access-token", True)
    assert path_param_values(served) == {
        "id": "00000000-0000-0000-0000-000000000000",
        "owner": "hv-nobody",
        "user_id": "0",
    }


def test_rendered_profile_is_toml_with_both_targets(tmp_path: Path) -> None:
    found = detect(EXAMPLES / "template_app")
    plan = Plan(
        root=EXAMPLES / "template_app",
        found=found,
        health_path="/h",
        health_expect=True,
        todo=["a thing"],
    )
    document = tomllib.loads(render(plan))
    local, staging = document["targets"]["local"], document["targets"]["staging"]
    assert local["stack"] == {"postgres": "system"} and "stack" not in staging
    assert staging["kind"] == "remote" and staging["base_url"] == "${STAGING_BASE_URL}"
    assert local["app"]["database_env"]["POSTGRES_DB"] == "{database}"
    assert set(local["checks"]["not_applicable"]) == {
        "pgvector",
        "pgvector-usable",
        "wallet-reward",
        "wallet-idempotent",
    }
    assert "# TODO: a thing" in render(plan)
