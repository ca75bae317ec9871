"""The plugin as an installed package loads it: by its pytest11 entry point, in any folder.

Runs pytest in a subprocess in a folder outside this repository (no conftest, no ini),
with this venv, where ``pip install -e .`` registered the entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.plugin.builtin import SUITES_DIR

OWN_TEST = """
import pytest

@pytest.mark.checklist("health")
def test_my_own_check():
    assert True
"""
REMOTE = """
[targets.staging]
kind = "remote"
base_url = "http://127.0.0.1:9"
"""


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    (tmp_path / "test_mine.py").write_text(OWN_TEST)
    return tmp_path


def test_without_a_target_the_harness_stays_out(app_repo: Path) -> None:
    run = _pytest(app_repo, "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout and not (app_repo / "reports").exists()


def test_space_separated_target_is_an_option_not_a_path(app_repo: Path) -> None:
    run = _pytest(app_repo, "--target", "local", "--report-lang", "ja", "-q")
    assert run.returncode == 4
    assert "targets file" in run.stderr and "not found" in run.stderr
    assert "file or directory not found" not in run.stderr


def test_without_paths_the_suites_alone_are_collected(app_repo: Path) -> None:
    """The app's own test modules are its own (tests/plugin/test_isolation.py)."""
    (app_repo / "targets.toml").write_text(REMOTE)
    run = _pytest(app_repo, "--target", "staging", "--collect-only", "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test_my_own_check" not in run.stdout
    # Outside the rootdir pytest names them by file name alone.
    for test in ("test_health.py::test_health_endpoint", "test_routes.py::", "test_database.py::"):
        assert test in run.stdout


def test_named_own_tests_join_the_suites(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    run = _pytest(app_repo, "--target", "staging", "--collect-only", "-q", "test_mine.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test_mine.py::test_my_own_check" in run.stdout
    assert "test_health.py::test_health_endpoint" in run.stdout


def test_explicit_suites_are_not_collected_twice(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    (app_repo / "pytest.ini").write_text(
        "[pytest]\n"
    )  # else this repo's ini, above SUITES_DIR, is found
    args = (
        "-c",
        "pytest.ini",
        "--target",
        "staging",
        "--collect-only",
        "-q",
        str(SUITES_DIR),
        "test_mine.py",
    )
    run = _pytest(app_repo, *args)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("test_health.py::test_health_endpoint") == 1


def test_naming_a_suite_runs_just_that(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    (app_repo / "pytest.ini").write_text("[pytest]\n")  # else this repo's ini is found
    suite = str(SUITES_DIR / "test_health.py")
    run = _pytest(app_repo, "-c", "pytest.ini", "--target", "staging", "--collect-only", "-q", suite)
    assert "test_health_endpoint" in run.stdout and "test_routes" not in run.stdout
    assert "test_my_own_check" not in run.stdout


def test_builtin_suites_off_leaves_collection_to_pytest(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    (app_repo / "pytest.ini").write_text("[pytest]\nharness_builtin_suites = false\n")
    run = _pytest(app_repo, "--target", "staging", "--collect-only", "-q")
    assert "test_my_own_check" in run.stdout and "test_health" not in run.stdout


def test_a_conftest_loading_it_too_is_harmless(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    (app_repo / "conftest.py").write_text('pytest_plugins = ["harness.plugin"]\n')
    run = _pytest(app_repo, "--target", "staging", "--collect-only", "-q", "-p", "harness.plugin")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test_health.py::" in run.stdout
