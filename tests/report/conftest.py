"""A small example project whose tests pass, fail, block and skip on purpose.

It needs no stack: the target is remote (nothing listens on 127.0.0.1:9) and the tests
never touch it; they only carry ``@pytest.mark.checklist`` and produce the outcomes the
report must roll up. The mixed run is shared by the report, Allure and sign-off tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import PLANTED_PASSWORD as PASSWORD
from support import REPO

TARGETS = f"""
[targets.demo]
kind = "remote"
base_url = "http://127.0.0.1:9"
database_url = "postgresql+asyncpg://app:{PASSWORD}@127.0.0.1:9/app"

[targets.demo.health]
wait_timeout_s = 0.5

[targets.odd]
kind = "remote"
base_url = "http://127.0.0.1:9"
checklist = "phase9"
"""

SUITES = {
    "test_mixed.py": '''
        from urllib.parse import urlsplit

        import pytest

        from harness.errors import DatabaseUnreachable
        from harness.result import CheckResult


        @pytest.mark.checklist("health")
        def test_health_ok(check, record_fact):
            record_fact("db_version", "16.4")
            check(CheckResult.passed("health", "answered 200 in 0.05s", status=200))


        @pytest.mark.checklist("routes")
        def test_routes_ok(check):
            check(CheckResult.passed("routes", "12 routes as expected", routes=12))


        @pytest.mark.checklist("routes")
        def test_routes_needing_a_token():
            pytest.skip("not run: no token configured")


        @pytest.mark.checklist("pgvector")
        def test_pgvector_missing(check, target):
            # Careless on purpose: the raw URL and password go to stdout and the failure.
            print("connecting to", target.database_url, urlsplit(target.database_url).password)
            check(CheckResult.failed(
                "pgvector", "the vector extension is not installed",
                remediation="run CREATE EXTENSION vector; as the database owner",
                expected={"extension": "vector >= 0.5.0"}, extension=None, url=target.database_url,
            ))


        @pytest.mark.checklist("migration-head")
        def test_migration_head_unreachable():
            raise DatabaseUnreachable("database postgresql://app:***@127.0.0.1:9/app: connection refused.")


        @pytest.mark.checklist("wallet-reward")
        def test_wallet_reward_read_only():
            pytest.skip("not run: target 'demo' does not allow writes")
    ''',
    "test_all_pass.py": '''
        import pytest

        @pytest.mark.checklist("health")
        def test_health_ok():
            pass
    ''',
    "test_all_blocked.py": '''
        import pytest
        from harness.errors import TargetUnreachable

        @pytest.mark.checklist("health")
        def test_health_unreachable():
            raise TargetUnreachable("GET http://127.0.0.1:9/api/health: connection refused.")
    ''',
    "test_not_run.py": '''
        import pytest

        @pytest.mark.checklist("pgvector")
        def test_pgvector_without_database():
            pytest.skip("not run: target has no database_url")
    ''',
    "test_unknown_item.py": '''
        import pytest

        @pytest.mark.checklist("no-such-item")
        def test_marked_with_a_typo():
            pass
    ''',
}


@dataclass
class Run:
    path: Path
    ret: int
    stdout: str
    stderr: str

    @property
    def folder(self) -> Path:
        folders = sorted(p for p in (self.path / "reports").iterdir() if p.is_dir())
        assert folders, f"no report folder:\n{self.stdout}\n{self.stderr}"
        return folders[-1]

    def checklist(self) -> dict[str, Any]:
        return json.loads((self.folder / "checklist.json").read_text(encoding="utf-8"))

    def statuses(self) -> dict[str, str]:
        return {item["id"]: item["status"] for item in self.checklist()["items"]}


class DemoProject:
    def __init__(self, path: Path) -> None:
        self.path = path
        (path / "suites").mkdir(parents=True)
        for name, source in SUITES.items():
            (path / "suites" / name).write_text(textwrap.dedent(source))
        (path / "checklists").symlink_to(REPO / "checklists")
        (path / "targets.toml").write_text(TARGETS)
        (path / "conftest.py").write_text('pytest_plugins = ["harness.plugin"]\n')
        (path / "pytest.ini").write_text(
            f"[pytest]\ntestpaths = suites\npythonpath = {REPO}\n"
            "addopts = --strict-markers -p no:cacheprovider\n"
            "harness_builtin_suites = false\n"  # only its own suites/
        )

    def run(self, *args: str) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
            cwd=self.path, check=False, capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip
        return Run(self.path, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def demo_factory(tmp_path_factory: pytest.TempPathFactory):
    def make() -> DemoProject:
        return DemoProject(tmp_path_factory.mktemp("demo"))

    return make


@pytest.fixture(scope="session")
def mixed_run(demo_factory) -> Run:
    """One run with every outcome, Allure on: shared, so treat it as read-only."""
    project = demo_factory()
    return project.run("suites/test_mixed.py", "--target=demo", "--alluredir=allure-results")
