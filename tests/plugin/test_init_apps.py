"""Deliver 5 of issue 17: each example app, copied outside this repository, with only
``staging-harness[local]`` installed: ``python -m harness init --yes`` then
``pytest --target local`` (space-separated) is green, with zero hand edits.

Slow (a wheel build, venvs, a real stack per app): marked ``stack``."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

# What each app's generated profile relies on: [app] python (all three run in their own venv)
# and [checks] not_applicable (pgvector and the wallet flow do not apply to two of them).
_APP_PYTHON = ("harness.config.app", "parse_app", "issue 11: [app] python")
_NOT_APPLICABLE = ("harness.config.profile", "checks_spec", "issue 12: [checks] not_applicable")
NEEDS = {
    "reference_app": [_APP_PYTHON],
    "template_app": [_APP_PYTHON, _NOT_APPLICABLE],
    "ledger_app": [_APP_PYTHON, _NOT_APPLICABLE],
}


def _skip_unless_landed(name: str) -> None:
    for module, attribute, what in NEEDS[name]:
        try:
            present = hasattr(importlib.import_module(module), attribute)
        except ImportError:
            present = False
        if not present:
            pytest.skip(f"needs {what}, not merged here yet")


def _harness(bin_dir: Path, app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _items(app: Path) -> dict[str, str]:
    (report,) = sorted((app / "reports").glob("*-local"))
    document = json.loads((report / "checklist.json").read_text())
    return {item["id"]: item["status"] for item in document["items"] if not item.get("manual")}


@pytest.mark.parametrize("name", ["reference_app", "template_app", "ledger_app"])
def test_init_then_local_run_is_green(name: str, request: pytest.FixtureRequest) -> None:
    _skip_unless_landed(name)  # before the venvs are built
    app = request.getfixturevalue("app_copy")(name)
    installed = request.getfixturevalue("install_harness")(app)
    init = _harness(installed, app, "python", "-m", "harness", "init", "--yes", "--force")
    assert init.returncode == 0, init.stderr
    profile = tomllib.loads((app / "targets.toml").read_text())
    assert set(profile["targets"]) == {"local", "staging"}
    assert profile["targets"]["local"]["app"]["python"] == ".venv/bin/python"
    run = _harness(
        installed,
        app,
        "pytest",
        "--target",
        "local",
        "--report-lang",
        "ja",
        "-p",
        "no:cacheprovider",
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "項目" in run.stdout  # the Japanese summary line
    items = _items(app)
    assert all(status in ("pass", "na") for status in items.values()), items
    assert items["health"] == items["routes"] == items["migration-head"] == "pass"
