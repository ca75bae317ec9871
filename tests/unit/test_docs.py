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
