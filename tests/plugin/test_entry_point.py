"""The plugin as an installed package loads it: by its pytest11 entry point, in any folder.

Runs pytest in a subprocess in a folder outside this repository (no conftest, no ini),
with this venv, where ``pip install -e .`` registered the entry point."""

from __future__ import annotations

import json
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


def test_report_dir_space_form_keeps_the_project_where_pytest_runs(tmp_path: Path) -> None:
    """``--report-dir DIR`` with DIR outside the project: pytest takes DIR for a path before
    the plugin's options are known and roots the run near DIR; targets.toml is still found
    in the project and the report lands in DIR."""
    project, outside = tmp_path / "app", tmp_path / "elsewhere" / "reports"
    project.mkdir()
    outside.mkdir(parents=True)
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "targets.toml").write_text(REMOTE)
    run = _pytest(project, "--target", "nosuch", "--report-dir", str(outside), "-q")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "unknown target 'nosuch'" in run.stderr and "not found" not in run.stderr
    assert [p.name.endswith("-nosuch") for p in outside.iterdir()] == [True]


def test_two_targets_on_the_command_line_are_refused(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    run = _pytest(app_repo, "--target", "staging", "--target=local", "-q")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "--target is given 2 times" in run.stderr
    assert not (app_repo / "reports").exists()  # refused before anything ran


def test_an_ini_target_is_overridden_by_the_command_line(app_repo: Path) -> None:
    (app_repo / "targets.toml").write_text(REMOTE)
    (app_repo / "pytest.ini").write_text("[pytest]\naddopts = --target=local\n")
    run = _pytest(app_repo, "--target", "staging", "--collect-only", "-q")
    assert "is given" not in run.stderr, run.stderr


SWALLOWS_CTRL_C = """
import time, pytest

@pytest.mark.checklist("health")
def test_a_library_swallows_the_interrupt():
    try:
        print("SWALLOW-STARTED", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        pass  # as a driver cancelling its query might
"""


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_a_run_told_to_stop_never_exits_0(tmp_path: Path, signum: str) -> None:
    import signal

    (tmp_path / "test_swallow.py").write_text(SWALLOWS_CTRL_C)
    (tmp_path / "targets.toml").write_text(REMOTE + "[targets.staging.health]\nwait_timeout_s = 0.5\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-s",
         "--target", "staging", "test_swallow.py"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if "SWALLOW-STARTED" in line:
            break
    proc.send_signal(getattr(signal, signum))
    out, _ = proc.communicate(timeout=60)
    assert "1 passed" in out  # the test went on as if nothing had happened…
    assert proc.returncode == 2, out  # …but the run says it was interrupted
    results = json.loads(next((tmp_path / "reports").glob("*/results.json")).read_text())
    assert results["exit_status"] == 2
