"""The nightly staging workflow: valid by actionlint, and it does what README promises."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "nightly-staging.yml"


def actionlint() -> str:
    beside_python = Path(sys.executable).with_name("actionlint")
    found = str(beside_python) if beside_python.is_file() else shutil.which("actionlint")
    if not found:
        pytest.skip("actionlint is not installed (pip install -e '.[dev]' brings it)")
    return found


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", "-oneline", str(path)], check=False, capture_output=True, text=True, timeout=60, cwd=path.parent
    )


def test_workflow_passes_actionlint():
    done = lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}"))
    done = lint(broken)
    assert done.returncode != 0 and 'property "os" is not defined' in done.stdout


def test_workflow_runs_staging_nightly_and_gates_on_the_exit_code():
    text = WORKFLOW.read_text()
    assert "schedule:" in text and "cron:" in text and "workflow_dispatch:" in text
    assert "STAGING_BASE_URL: ${{ secrets.STAGING_BASE_URL }}" in text
    assert "STAGING_DATABASE_URL: ${{ secrets.STAGING_DATABASE_URL }}" in text
    assert "pytest --target=staging" in text
    assert "actions/upload-artifact@" in text and "reports/" in text and "if: always()" in text
    assert 'exit "${EXIT_CODE:-1}"' in text and '-eq 75' in text
    assert "STAGING_EXPECTED_REVISION: ${{ inputs.expected_revision || github.sha }}" in text
