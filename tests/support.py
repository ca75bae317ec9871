"""Running the real harness on a small example project, for fault-injection tests.

``HarnessProject`` lays out a pytester directory like a user's repository: the repo's
``suites/`` copied, ``examples/`` and ``checklists/`` linked, ``targets.toml`` copied with
per-test overrides merged in, and a conftest that loads the plugin (plus any hook
implementations the test adds, e.g. to break the database once the stack is up).
Runs happen in a subprocess, so app faults travel in the environment as they would in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

REPO = Path(__file__).resolve().parents[1]
EXIT_BLOCKED = 75
# Planted in database URLs by the report tests, which then look for it in every output file.
PLANTED_PASSWORD = "PlantedPw-9f3c1e"


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def example_venv(name: str) -> None:
    """The example app's own venv, built when missing (scripts/example-venvs.sh, idempotent)."""
    subprocess.run([str(REPO / "scripts" / "example-venvs.sh"), name], check=True, capture_output=True)


def start_reference_stack(faults: str = "") -> tuple[Any, Any]:
    """The reference app brought up as a deployment would be (embedded PostgreSQL + pgvector,
    its migrations, uvicorn on 127.0.0.1) with ``faults`` on: ``(LocalStack, StackAddresses)``;
    the caller stops the stack."""
    from harness.config.targets import resolve_target
    from harness.stack import LocalStack

    saved = os.environ.get("REFAPP_FAULTS")
    os.environ["REFAPP_FAULTS"] = faults  # the app reads its faults from its environment
    try:
        stack = LocalStack(resolve_target("local", REPO / "targets.toml", environ={}))
        return stack, stack.start(lambda _: None)
    finally:
        os.environ.pop("REFAPP_FAULTS") if saved is None else os.environ.update(REFAPP_FAULTS=saved)


class HarnessProject:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path
        shutil.copytree(REPO / "harness" / "suites", self.path / "suites")
        for name in ("examples", "checklists", "expected_routes", "flows"):
            if (REPO / name).exists():
                (self.path / name).symlink_to(REPO / name)
        self.hooks: list[str] = []
        # A private TMPDIR per project: the run's PostgreSQL cluster lands here, so a test
        # can tell its own leftovers from a concurrent run's. Short, for the socket path.
        self.tmpdir = Path(tempfile.mkdtemp(prefix="hvt-"))
        self.tmpdir.chmod(0o755)  # as root, PostgreSQL runs as another user who must get in
        self.set_targets({})
        self._write_ini()
        self._write_conftest()

    def set_targets(self, overrides: dict[str, Any]) -> None:
        """Merge ``overrides`` (``{"targets": {...}}``) into the repo's targets.toml."""
        base = tomllib.loads((REPO / "targets.toml").read_text())
        (self.path / "targets.toml").write_text(tomli_w.dumps(deep_merge(base, overrides)))

    def add_hook(self, source: str) -> None:
        """Add code to the project's conftest (e.g. a ``pytest_harness_stack_ready``)."""
        self.hooks.append(textwrap.dedent(source))
        self._write_conftest()

    def _write_ini(self) -> None:
        self.pytester.makeini(
            f"""
            [pytest]
            testpaths = suites
            pythonpath = {REPO}
            addopts = --strict-markers --target=local -p no:cacheprovider
            harness_builtin_suites = false
            """
        )

    def _write_conftest(self) -> None:
        body = 'pytest_plugins = ["harness.plugin"]\n\n' + "\n\n".join(self.hooks)
        (self.path / "conftest.py").write_text(body)

    def run(
        self, *args: str, faults: str = "", env: dict[str, str] | None = None, timeout: float = 300
    ) -> pytest.RunResult:
        saved = dict(os.environ)
        os.environ["REFAPP_FAULTS"] = faults
        os.environ["TMPDIR"] = str(self.tmpdir)
        os.environ.update(env or {})
        try:
            return self.pytester.runpytest_subprocess("-p", "no:randomly", *args, timeout=timeout)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def leftover_clusters(self) -> list[Path]:
        """PostgreSQL clusters of this project's runs still on disk (teardown leaked)."""
        return sorted(self.tmpdir.glob("hv-pg-*"))

    def cleanup(self) -> None:
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def report_dirs(self) -> list[Path]:
        return sorted(p for p in (self.path / "reports").glob("*") if p.is_dir())

    def results(self) -> dict[str, Any]:
        dirs = self.report_dirs()
        assert dirs, "the run wrote no report folder"
        return json.loads((dirs[-1] / "results.json").read_text())

    def outcomes_by_item(self) -> dict[str, set[str]]:
        """Checklist item → the set of outcomes of its tests."""
        items: dict[str, set[str]] = {}
        for test in self.results()["tests"]:
            for item in test["checklist"]:
                items.setdefault(item, set()).add(test["outcome"])
        return items

    def failed_items(self) -> set[str]:
        return {item for item, outcomes in self.outcomes_by_item().items() if "failed" in outcomes}


# Set, every run's checklist.json is kept there (tests/report/test_ja_everywhere.py reads them).
KEEP_CHECKLISTS = "HARNESS_KEEP_CHECKLISTS"


@pytest.fixture
def project(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> Iterator[HarnessProject]:
    harness_project = HarnessProject(pytester)
    yield harness_project
    keep_checklists(harness_project, request.node.nodeid)
    harness_project.cleanup()


def keep_checklists(harness_project: HarnessProject, nodeid: str) -> None:
    """With HARNESS_KEEP_CHECKLISTS=DIR, copy each report of this test's runs into DIR."""
    folder = os.environ.get(KEEP_CHECKLISTS)
    if not folder or not (harness_project.path / "reports").is_dir():
        return
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    Path(folder).mkdir(parents=True, exist_ok=True)
    for n, report in enumerate(harness_project.report_dirs()):
        if (report / "checklist.json").is_file():
            shutil.copyfile(report / "checklist.json", Path(folder) / f"{stem}-{n}.json")
