"""The documentation stays true to the code: generated pages current, README a front door."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_generated_pages_are_current() -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_readme_is_a_front_door_whose_links_exist() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (REPO / target).exists(), target
    assert not re.search(r"\bissue \d+", text, re.I)  # no development history


def test_every_checklist_item_has_its_page_section() -> None:
    from harness.report.checklist import load_checklist

    checklist = load_checklist("phase1", REPO / "harness" / "checklists")
    for page in ("docs/checklist.md", "docs/ja/checklist.md"):
        text = (REPO / page).read_text(encoding="utf-8")
        assert all(f"## `{item}`" in text for item in checklist.ids), page


def test_version_is_printed() -> None:
    from harness import __version__

    run = subprocess.run([sys.executable, "-m", "harness", "--version"], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and __version__ in run.stdout


# Every command README shows, and where it is run: CI (.ci/run) or a test, by a piece of text
# that file must contain. A command added to README without a line here fails the test below.
README_COMMANDS_RUN_BY = {
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/pytest --target local': [
        ("scripts/dev-setup.sh", 'python3 -m venv .venv'), ("scripts/dev-setup.sh", '-e ".[dev]"'),
        (".ci/run", "pytest --target=local")],
    "scripts/dev-setup.sh && .venv/bin/pytest tests -p no:randomly": [
        (".ci/run", "scripts/dev-setup.sh"), (".ci/run", "pytest tests -q -p no:randomly")],
    'python3 -m venv .hv && .hv/bin/pip install "/path/to/staging-harness[local]"': [
        ("tests/plugin/conftest.py", 'make_venv(app / ".hv", f"{wheel}[local]")')],
    ".hv/bin/python -m harness init": [("tests/plugin/test_init_apps.py", '"harness", "init"')],
    ".hv/bin/pytest --target local": [("tests/plugin/test_init_apps.py", '"--target",')],
    ".hv/bin/pytest --target local --report-lang ja": [("tests/plugin/test_init_apps.py", '"--report-lang",')],
    "STAGING_BASE_URL=https://staging.example.com .hv/bin/pytest --target staging": [
        ("tests/e2e/test_staging_profile.py", '"STAGING_BASE_URL"'),
        ("tests/e2e/test_staging_profile.py", '"--target=staging"')],
}  # fmt: skip


def test_every_readme_command_is_run_by_ci_or_a_test() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands and set(commands) <= set(README_COMMANDS_RUN_BY), set(commands) - set(README_COMMANDS_RUN_BY)
    for command in commands:
        for path, piece in README_COMMANDS_RUN_BY[command]:
            assert piece in (REPO / path).read_text(encoding="utf-8"), (command, path, piece)
