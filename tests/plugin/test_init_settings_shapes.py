"""Issue 24, settings and models: each synthetic shape of ``tests/init_shapes`` (written for
this repository, modelled on no real app), copied outside it with its own venv and only
``staging-harness[local]`` beside it: ``init --yes`` checks its own profile (the local run
it makes says exit 0), a second ``init`` changes nothing, and ``pytest --target local`` is
green with zero hand edits. Before this work each shape ended in exit 4 (no database
variables / required settings missing / the wrong driver / a metadata with no tables).

Slow (a wheel build, venvs, a real stack per shape): marked ``stack``."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from test_init_apps import _harness

pytestmark = pytest.mark.stack


def _items(app: Path) -> dict[str, dict[str, object]]:
    (report,) = sorted((app / "reports").glob("*-local"))  # init's own run left none here
    document = json.loads((report / "checklist.json").read_text())
    return {item["id"]: item for item in document["items"] if not item.get("manual")}


def _init_checked(name: str, request: pytest.FixtureRequest) -> tuple[Path, Path, dict]:
    """init --yes on a fresh copy: its own run of the local target (the same command a
    person runs next, pytest --target local, from the app's folder) exits 0 with every item
    pass or n/a; a second init changes nothing."""
    app = request.getfixturevalue("shape_copy")(name)
    installed = request.getfixturevalue("install_harness")(app)
    init = _harness(installed, app, "python", "-m", "harness", "init", "--yes", "--force")
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-2000:]
    assert "check: pytest --target local exited 0" in init.stdout, init.stdout[-3000:]
    judged = {
        m.group(2): m.group(1)
        for m in re.finditer(
            r"^  (pass|FAIL|n/a|BLOCKED|NOT RUN)\s+([\w-]+)", init.stdout, re.MULTILINE
        )
    }
    assert judged["models-match"] == judged["migration-head"] == judged["health"] == "pass", judged
    assert set(judged.values()) <= {"pass", "n/a"}, init.stdout
    before = (app / "targets.toml").read_text()
    again = _harness(installed, app, "python", "-m", "harness", "init", "--yes", "--no-check")
    assert again.returncode == 0, again.stderr
    assert "targets.toml unchanged" in again.stdout
    assert (app / "targets.toml").read_text() == before
    return app, installed, tomllib.loads(before)["targets"]["local"]


def test_prefixed_settings_with_parts_and_no_port(request: pytest.FixtureRequest) -> None:
    """pydantic-settings with env_prefix, SVC_DB_* parts and no port (PGPORT carries it),
    two required fields without a default (placeholders), psycopg2 only."""
    _, _, local = _init_checked("settings_parts", request)
    assert local["app"]["database_env"]["PGPORT"] == "{port}"
    assert set(local["app"]["env"]) == {"SVC_PRODUCTION", "SVC_SIGNING_KEY"}
    assert {"svc.models.item", "svc.models.user"} <= set(local["database"]["models_import"])


def test_engine_switch_and_async_driver(request: pytest.FixtureRequest) -> None:
    """DB_ENGINE defaulting to sqlite is switched; SQLALCHEMY_DATABASE_URI gets asyncpg's form."""
    _, _, local = _init_checked("switch_async", request)
    assert local["app"]["database_env"] == {
        "SQLALCHEMY_DATABASE_URI": "{url_asyncpg}",
        "DB_ENGINE": "postgres",
    }


def test_tenant_schema_tables_are_matched_where_they_live(request: pytest.FixtureRequest) -> None:
    """Models without a schema, tables in the tenant's schema: models-match finds them there
    (models_schema = "*"); without that setting the same run fails models-match."""
    app, installed, local = _init_checked("tenant_schema", request)
    assert local["database"]["models_schema"] == "*"
    assert local["app"]["database_env"] == {"DATABASE_URL": "{url_psycopg}"}
    profile = app / "targets.toml"
    profile.write_text(profile.read_text().replace('models_schema = "*"\n', ""))
    run = _harness(
        installed, app, "pytest", "--target", "local", "-p", "no:cacheprovider", "-k", "models"
    )
    assert run.returncode == 1, run.stdout[-3000:]
    item = _items(app)["models-match"]
    assert item["status"] == "fail"
    assert "contacts" in json.dumps(item["evidence"])
