"""init's health route chosen with what the served app answers (docs/corpus.md, gap 1), on
two synthetic apps of tests/health_shapes run through ``python -m harness init`` itself (the
harness's own interpreter serves them: FastAPI, SQLAlchemy, psycopg, Alembic, uvicorn).

- redirect_home: no health route, ``/`` redirects (302) to the login page, which answers 200
  with HTML: the login page stands in, status only; init's check run passes health.
- token_first: no health route, every cheap GET answers 401 without a token: the OpenAPI
  document stands in. A second init changes nothing.

Each starts the app (embedded PostgreSQL, its migrations, uvicorn): marked ``stack``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack
SHAPES = Path(__file__).resolve().parents[1] / "health_shapes"


def _init(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness", "init", "--yes", "--python", sys.executable, *args]
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, check=False, timeout=900
    )


def _copy(name: str, world: Path) -> Path:
    app = world / "health" / name
    shutil.copytree(SHAPES / name, app, ignore=shutil.ignore_patterns("__pycache__"))
    return app


def _health(app: Path) -> dict:
    return tomllib.loads((app / "targets.toml").read_text())["targets"]["local"]["health"]


def test_a_home_page_that_redirects_gives_way_to_the_page_it_leads_to(world: Path) -> None:
    app = _copy("redirect_home", world)
    run = _init(app)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert _health(app) == {"path": "/auth/login", "status_only": True}, out
    assert "GET / redirects (302) to /auth/login: GET /auth/login stands in" in out
    assert "  pass        health" in out, out  # init's own check run judges it so
    assert not (app / ".hv-init-draft.toml").exists()


def test_routes_that_need_a_token_give_way_to_the_openapi_document(world: Path) -> None:
    app = _copy("token_first", world)
    run = _init(app, "--no-check")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert _health(app) == {"path": "/openapi.json", "status_only": True}, out
    assert "GET /item answers 401 without a token: GET /openapi.json stands in" in out
    before = (app / "targets.toml").read_text()
    again = _init(app, "--no-check")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "targets.toml unchanged (already what init writes)" in again.stdout
    assert (app / "targets.toml").read_text() == before
