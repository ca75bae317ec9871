"""Issue 24, point 2, end to end: two synthetic shapes (tests/init_shapes), each copied outside
this repository with its venv where such repositories keep it and only
``staging-harness[local]`` beside it. ``python -m harness init --yes`` (no --python, no edit)
then ``pytest --target local`` exits 0.

- uv_workspace: the venv at the workspace root, the FastAPI service in backend/.
- flask_board: Flask + Flask-Migrate (migrations/ from ``flask db init``), the app object in a
  top-level module beside a worker's, a factory that queries its database while the app is
  created (so its routes are read from the app the local target serves), HTML as its only
  cheap page (health judges the status only).

Slow (a venv per shape and a real stack per run): marked ``stack``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack
SHAPES = Path(__file__).resolve().parents[1] / "init_shapes"


def _harness(bin_dir: Path, app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]], cwd=app, env=env, capture_output=True, text=True,
        check=False, timeout=900,
    )  # fmt: skip


def _items(app: Path) -> dict[str, str]:
    (report,) = sorted((app / "reports").glob("*-local"))
    document = json.loads((report / "checklist.json").read_text())
    return {item["id"]: item["status"] for item in document["items"] if not item.get("manual")}


def _init_then_run(app: Path, installed: Path) -> tuple[dict, str, dict[str, str]]:
    init = _harness(installed, app, "python", "-m", "harness", "init", "--yes", "--no-check")
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    local = tomllib.loads((app / "targets.toml").read_text())["targets"]["local"]
    run = _harness(installed, app, "pytest", "--target", "local", "-p", "no:cacheprovider")
    assert run.returncode == 0, init.stdout[-2000:] + run.stdout[-5000:] + run.stderr[-2000:]
    items = _items(app)
    assert all(status in ("pass", "na") for status in items.values()), items
    return local, init.stdout, items


def test_uv_workspace(
    world: Path, install_harness: Callable[[Path], Path], venv_maker: Callable[..., Path]
) -> None:
    app = world / "shapes" / "uv_workspace"
    shutil.copytree(SHAPES / "uv_workspace", app)
    venv_maker(app / ".venv", app / "backend")  # what `uv sync` leaves: one venv at the root
    local, out, items = _init_then_run(app, install_harness(app))
    assert local["app"]["python"] == ".venv/bin/python" and local["app"]["dir"] == "backend"
    assert local["health"] == {"path": "/api/healthz", "expect": {"status": "ok"}}
    assert "TODO" not in out, out
    assert items["health"] == items["routes"] == items["migration-head"] == "pass"


def test_flask_migrate_app_that_connects_at_import(
    world: Path, install_harness: Callable[[Path], Path], venv_maker: Callable[..., Path]
) -> None:
    app = world / "shapes" / "flask_board"
    shutil.copytree(SHAPES / "flask_board", app)
    venv_maker(app / ".venv", "-r", app / "requirements.txt")
    local, out, items = _init_then_run(app, install_harness(app))
    assert local["app"]["wsgi"] == "blog:app" and local["app"]["migrations"] == "flask"
    assert local["routes"]["openapi_path"] == "" and local["routes"]["ignore"] == ["/static/*"]
    assert local["health"] == {"path": "/", "status_only": True}
    routes = json.loads((app / "expected_routes.json").read_text())["routes"]
    assert "GET /posts/{post_id}" in routes and "POST /posts" in routes
    assert "reading its routes served" in out and "importing" not in out
    assert items["health"] == items["routes"] == items["migration-head"] == "pass"


def test_package_with_stdlib_named_modules_and_a_named_ini_section(tmp_path: Path) -> None:
    """pkg_shadow on this venv's interpreter (it has the shape's few dependencies): run from
    the package's parent, migrated with ``alembic -c tally/alembic.ini -n alembic:dev``, and
    every database item (replay, heads, rehearsal) reads the named section and the
    ``tally:migrations`` location without importing the package into the harness."""
    app = tmp_path / "pkg_shadow"
    shutil.copytree(SHAPES / "pkg_shadow", app)
    installed = Path(sys.executable).parent
    init = _harness(
        installed, app, "python", "-m", "harness", "init", "--yes", "--no-check", "--python", sys.executable
    )
    assert init.returncode == 0, init.stderr
    local = tomllib.loads((app / "targets.toml").read_text())["targets"]["local"]
    assert local["app"]["dir"] == "." and local["app"]["asgi"] == "tally.web:app"
    run = _harness(installed, app, "pytest", "--target", "local", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    items = _items(app)
    assert items["migration-head"] == items["schema-drift"] == items["models-match"] == "pass", (
        items
    )
    assert items["migration-rehearsal"] == "pass", items


def test_fastapi_app_that_connects_at_import(tmp_path: Path) -> None:
    """connect_at_import on this venv's interpreter: importing it needs its database, so init
    reads the routes (OpenAPI under /api, named in the source) and the health answer from the
    app the local target serves; no TODO is left and the run is green."""
    app = tmp_path / "connect_at_import"
    shutil.copytree(SHAPES / "connect_at_import", app)
    installed = Path(sys.executable).parent
    init = _harness(
        installed, app, "python", "-m", "harness", "init", "--yes", "--no-check", "--python", sys.executable
    )
    assert init.returncode == 0 and "TODO" not in init.stdout, init.stdout + init.stderr
    local = tomllib.loads((app / "targets.toml").read_text())["targets"]["local"]
    assert local["routes"]["openapi_path"] == "/api/openapi.json"
    assert local["health"] == {"path": "/api/status", "expect": {"status": "ok"}}
    assert json.loads((app / "expected_routes.json").read_text())["routes"] == [
        "GET /api/status",
        "GET /api/things",
    ]
    run = _harness(installed, app, "pytest", "--target", "local", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert _items(app)["routes"] == "pass"
