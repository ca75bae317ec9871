"""An app that cannot run as configured is a usage error (exit 4), not "blocked" (75): one
line naming the module or command and the interpreter, the log's tail printed, and the log
kept in the report folder (a hint never points at a file teardown deleted)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

SUITE = "suites/test_health.py"


def logged_path(output: str) -> Path:
    match = re.search(r"the whole log is (\S+)", output)
    assert match, output
    return Path(match.group(1))


@pytest.mark.parametrize(
    ("app", "words"),
    [
        (
            {"asgi": "no_such_module.main:app"},
            ["the app exited with code", "No module named 'no_such_module'"],
        ),
        (
            {"migrate": [["{python}", "-c", "import alembic_helper_gone"]]},
            ["the app's migrate command failed (exit 1)", "No module named 'alembic_helper_gone'"],
        ),
    ],
)
def test_app_that_cannot_run_is_exit_4_with_its_log_kept(project, app, words):
    project.set_targets({"targets": {"local": {"app": app}}})
    result = project.run(SUITE)
    output = result.stdout.str()
    assert result.ret == 4, output
    line = next(ln for ln in output.splitlines() if "CONFIGURATION ERROR (exit 4)" in ln)
    for word in words:
        assert word in line
    assert f"interpreter {sys.executable}" in line
    log = logged_path(output)
    assert log.is_file() and log.parent in project.report_dirs()
    assert "last lines of the log" in output
    assert project.leftover_clusters() == []
