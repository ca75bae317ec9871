"""The HTML report opened in headless Chromium: the table is there in the rendered DOM."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian: apt-get install -y chromium; .ci/run does it)")


def dump_dom(html_file: Path, profile: Path) -> str:
    """The DOM after rendering; every network feature off so a stray fetch would show up missing."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--window-size=390,844", "--dump-dom", html_file.as_uri()],
        check=False, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class RowText(HTMLParser):
    """Text of each ``<tr>`` of ``table#items``, cells joined by " | "."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "items") in attrs:
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_headless_chromium_renders_the_table(mixed_run, tmp_path):
    dom = dump_dom(mixed_run.folder / "checklist.html", tmp_path / "profile")
    assert "Phase 1 demo: 2/13 items (15.4%)" in dom
    parser = RowText()
    parser.feed(dom)
    header, *rows = parser.rows
    assert header == ["Status", "Item", "Required", "Tests", "Duration"]
    by_id = {row[1].split(" ")[0]: row for row in rows}
    assert len(rows) == 13
    assert by_id["health"][0] == "✅ pass"
    assert by_id["pgvector"][0] == "❌ fail" and by_id["pgvector"][3] == "1"
    assert "Remedy: run CREATE EXTENSION vector; as the database owner" in by_id["pgvector"][1]
    assert by_id["migration-head"][0] == "⛔ blocked"
    assert by_id["wallet-reward"][0] == "⬜ not run"
    assert by_id["docs-updated"][2] == "yes (manual)"
