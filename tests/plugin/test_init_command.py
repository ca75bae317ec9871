"""``python -m harness init`` as a command, on a copy of the reference app (served by this
venv's interpreter, which has its dependencies through the dev extra)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _init(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness", "init", "--yes", "--no-check"]
    command += ["--python", sys.executable, *args]
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, check=False, timeout=120
    )


def test_init_writes_both_profiles_and_the_route_list(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / "reference_app", app, ignore=shutil.ignore_patterns("__pycache__"))
    run = _init(app, "--base-url", "https://staging.example.com")
    assert run.returncode == 0, run.stderr
    targets = tomllib.loads((app / "targets.toml").read_text())["targets"]
    local, staging = targets["local"], targets["staging"]
    assert local["app"]["asgi"] == "reference_app.main:app"
    assert local["health"] == {"path": "/api/health", "expect": {"status": "ok"}}
    assert staging["base_url"] == "https://staging.example.com" and staging["allow_writes"] is False
    assert local["database"]["models"] == "reference_app.models:Base.metadata"
    routes = json.loads((app / "expected_routes.json").read_text())
    shipped = json.loads((EXAMPLES.parent / "expected_routes" / "reference_app.json").read_text())
    assert routes["routes"] == shipped["routes"]  # the same as the hand-made snapshot


def test_init_keeps_an_existing_profile_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text("# mine\n")
    run = _init(tmp_path)
    assert run.returncode == 4 and "exists" in run.stderr and "--force" in run.stderr
    assert (tmp_path / "targets.toml").read_text() == "# mine\n"


def test_an_app_that_cannot_be_imported_is_a_todo_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        "import no_such_module\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    )
    run = _init(tmp_path)
    assert run.returncode == 0, run.stderr
    assert (
        "TODO: importing main:app" in run.stdout
        and "No module named 'no_such_module'" in run.stdout
    )
    assert not (tmp_path / "expected_routes.json").exists()
