"""The app's own pytest configuration does not take over a verification run.

Each test lays out a small app repository in a temporary folder (outside this repository, so
its pytest.ini is not found) whose pytest setup would break a run made in the harness's venv:
``testpaths`` pointing at the app's tests, a root conftest that raises, a ``tests/conftest.py``
importing a dependency this venv does not have, plugin options in ``addopts`` (``--cov``),
``required_plugins``, an ini key of a missing plugin under ``--strict-config``. The target is
remote, at a tiny health server on 127.0.0.1, so a run takes seconds and proves the suites ran
(the health item passes); every other item is n/a by the profile, so a clean run exits 0.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.plugin.isolation import own_addopts

N_A = "the app under test here serves only its health route"
ITEMS_NA = (
    "routes", "routes-reachable", "pgvector", "pgvector-usable", "migration-head", "schema-drift",
    "migration-rehearsal", "migration-roundtrip", "models-match", "cleanup", "wallet-reward", "wallet-idempotent",
    "db-reconnect",
)  # fmt: skip
APP_PYPROJECT = """
[project]
name = "someapp"
version = "0"

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "--cov=someapp --strict-config -p no:cacheprovider tests"
required_plugins = ["pytest-asyncio>=0.23", "pytest-cov"]
asyncio_mode = "auto"
"""
RAISING_CONFTEST = 'raise RuntimeError("the app\'s root conftest was imported")\n'
APP_TEST = "import not_installed_dep\n\ndef test_the_apps_own():\n    pass\n"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path == "/api/health"
        body = json.dumps({"status": "ok"} if found else {"detail": "Not Found"}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def health_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _targets(base_url: str) -> str:
    not_applicable = ", ".join(f'{item} = "{N_A}"' for item in ITEMS_NA)
    return (
        f'[targets.staging]\nkind = "remote"\nbase_url = "{base_url}"\n'
        f"[targets.staging.health]\nwait_timeout_s = 30.0\n"
        f"[targets.staging.checks]\nnot_applicable = {{ {not_applicable} }}\n"
    )


@pytest.fixture
def app_repo(tmp_path: Path, health_url: str) -> Path:
    """testpaths = tests, a root conftest that raises, tests/ whose conftest and module
    import a dependency missing here, and scattered test modules that would not import."""
    (tmp_path / "pyproject.toml").write_text(APP_PYPROJECT)
    (tmp_path / "conftest.py").write_text(RAISING_CONFTEST)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("import not_installed_dep\n")
    (tmp_path / "tests" / "test_app.py").write_text(APP_TEST)
    (tmp_path / "someapp").mkdir()
    (tmp_path / "someapp" / "test_scattered.py").write_text(APP_TEST)
    (tmp_path / "targets.toml").write_text(_targets(health_url))
    return tmp_path


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "--target", "staging", *args],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def _results(folder: Path) -> dict:
    (report,) = sorted((folder / "reports").glob("*/results.json"))
    return json.loads(report.read_text())


def _outcomes(results: dict) -> dict[str, str]:
    return {test["nodeid"]: test["outcome"] for test in results["tests"]}


def test_a_run_collects_the_suites_alone_not_the_apps_tests(app_repo: Path) -> None:
    run = _pytest(app_repo)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "conftest was imported" not in output and "not_installed_dep" not in output
    results = _results(app_repo)
    outcomes = _outcomes(results)
    assert outcomes["test_health.py::test_health_endpoint"] == "passed"
    assert all(not nodeid.startswith(("tests/", "someapp/")) for nodeid in outcomes), outcomes
    assert results["collection_errors"] == [] and results["status"] == "passed"
    assert "testpaths: tests" not in run.stdout  # the header does not claim the app's


def test_without_testpaths_scattered_modules_stay_out(app_repo: Path) -> None:
    (app_repo / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider"\n'
    )
    for folder in ("someapp/api", "scripts", "tests/unit"):
        (app_repo / folder).mkdir(parents=True, exist_ok=True)
        (app_repo / folder / "test_broken.py").write_text(APP_TEST)
    run = _pytest(app_repo)
    assert run.returncode == 0, run.stdout + run.stderr
    outcomes = _outcomes(_results(app_repo))
    assert outcomes["test_health.py::test_health_endpoint"] == "passed"
    assert "error" not in run.stdout.lower().split("short test summary")[-1]


def test_named_tests_that_do_not_import_are_reported_and_the_suites_still_run(
    app_repo: Path,
) -> None:
    """Naming the app's tests brings in their conftests; under xdist (the app's own
    ``-n 2``) each file that did not import is named in the report with its error."""
    pyproject = APP_PYPROJECT.replace("-p no:cacheprovider tests", "-p no:cacheprovider -n 2")
    (app_repo / "pyproject.toml").write_text(pyproject)
    run = _pytest(app_repo, "tests", "someapp")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output  # not 4 (conftest import), not 2 (interrupted)
    results = _results(app_repo)
    assert results["status"] == "failed"
    assert _outcomes(results)["test_health.py::test_health_endpoint"] == "passed"
    errors = {error["path"]: error["reason"] for error in results["collection_errors"]}
    assert errors["conftest.py"] == "RuntimeError: the app's root conftest was imported"
    missing = "ModuleNotFoundError: No module named 'not_installed_dep'"
    assert errors["tests/conftest.py"] == missing and errors["someapp/test_scattered.py"] == missing
    report = next((app_repo / "reports").glob("*/checklist.md")).read_text()
    assert f"`tests/conftest.py`: {missing}" in report
    assert "harness: NOT COLLECTED: conftest.py: RuntimeError" in run.stdout


def test_the_japanese_report_names_them_too(app_repo: Path) -> None:
    run = _pytest(app_repo, "tests", "--report-lang", "ja")
    assert run.returncode == 1, run.stdout + run.stderr
    report = next((app_repo / "reports").glob("*/checklist.md")).read_text()
    assert "収集できなかったファイル" in report and "`conftest.py`: RuntimeError" in report


def test_a_run_without_a_target_is_left_to_pytest(app_repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-o", "required_plugins=", "-o", "addopts="],
        cwd=app_repo, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 4 and "the app's root conftest was imported" in run.stderr


def test_own_addopts_drops_paths_and_unknown_options() -> None:
    parser = pytest.Parser(_ispytest=True)
    parser.addoption("--strict-config", action="store_true")
    parser.addoption("--plugin", dest="plugins", action="append")
    addopts = ["--cov=app", "--cov-report", "term", "--plugin", "no:x", "--strict-config", "tests"]
    assert own_addopts(addopts, parser) == ["--plugin", "no:x", "--strict-config"]


def test_a_missing_plugin_in_addopts_is_one_line_and_the_documented_fix_works(app_repo: Path) -> None:
    """pytest imports ``-p`` plugins before this plugin loads: it cannot step in, so the
    line is pytest's (exit 4, no traceback) and docs/isolation.md gives the fix."""
    (app_repo / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-p not_installed_plugin"\n'
    )
    run = _pytest(app_repo)
    assert run.returncode == 4 and "Traceback" not in run.stderr
    assert 'Error importing plugin "not_installed_plugin"' in run.stderr
    fixed = _pytest(app_repo, "-o", "addopts=")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_the_apps_filterwarnings_error_does_not_fail_the_suites(app_repo: Path) -> None:
    # The app's tests run with every warning as an error; a library the suites use warns
    # while a check runs (a plugin given with -p stands in for it).
    pyproject = app_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'filterwarnings = ["error"]\n')
    (app_repo / "warner.py").write_text(
        "import warnings\n\n\ndef pytest_runtest_call(item):\n"
        "    warnings.warn(DeprecationWarning('a library the suites use deprecated something'))\n"
    )
    run = _pytest(app_repo, "-p", "warner")
    assert run.returncode == 0, run.stdout + run.stderr
    assert _outcomes(_results(app_repo))["test_health.py::test_health_endpoint"] == "passed"
    assert "deprecated something" in run.stdout  # still shown, as a warning
