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
    """Text of each ``<tr>`` of ``table#items`` (not of the evidence tables inside it)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "items") in attrs:
            self.in_table = True
        elif self.in_table and tag == "table":
            self.depth += 1
        elif self.depth:
            return
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "table":
            self.in_table = False
        elif self.depth:
            return
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_headless_chromium_renders_the_table(mixed_run, tmp_path):
    dom = dump_dom(mixed_run.folder / "checklist.html", tmp_path / "profile")
    assert "Phase 1 demo: 2/16 items (12.5%)" in dom
    parser = RowText()
    parser.feed(dom)
    header, *rows = parser.rows
    assert header == ["Status", "Item", "Required", "Tests", "Duration"]
    by_id = {row[1].split(" ")[0]: row for row in rows}
    assert len(rows) == 17  # parity's row too: n/a, no counterpart named
    assert by_id["health"][0] == "✅ pass"
    assert by_id["pgvector"][0] == "❌ fail" and by_id["pgvector"][3] == "1"
    assert "Remedy: run CREATE EXTENSION vector; as the database owner" in by_id["pgvector"][1]
    assert by_id["migration-head"][0] == "⛔ blocked"
    assert by_id["wallet-reward"][0] == "⬜ not run"
    assert by_id["docs-updated"][2] == "yes (manual)"


def render_in_chromium(html_file: Path, profile: Path, width: int, screenshot: Path | None = None) -> str:
    flags = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={width},900"]  # fmt: skip
    if screenshot is not None:
        shot = subprocess.run([*flags, f"--screenshot={screenshot}", html_file.as_uri()],
                              check=False, capture_output=True, text=True, timeout=90)  # fmt: skip
        assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    done = subprocess.run([*flags, "--dump-dom", html_file.as_uri()], check=False, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 390])
def test_blocking_line_trend_and_waiver_in_chromium(tmp_path, lang, width):
    import scenario

    folder = scenario.write_history(tmp_path / "reports", lang)
    shots = Path(__import__("os").environ.get("HARNESS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    dom = render_in_chromium(folder / "checklist.html", tmp_path / "profile", width, shots / f"report-{lang}-{width}.png")
    blocking = re.search(r'<p class="blocking bad" id="blocking">([^<]+)</p>', dom)
    assert blocking and blocking.group(1).startswith("Blocks release: routes-reachable" if lang == "en" else "リリースを妨げている項目: routes-reachable")
    assert dom.count("<circle ") == 4 and "<polyline points=" in dom  # the trend chart, inline SVG
    assert re.search(r'<tr id="item-schema-drift" data-status="fail" data-waived="true">', dom)
    waiver = "waived until 2099-12-31 by Aiko Sato" if lang == "en" else "2099-12-31 まで免除（Aiko Sato）"
    assert f'<div class="waiver">{waiver}' in dom
    first_row = re.search(r'<tbody>\s*<tr id="item-([\w-]+)"', dom)
    assert first_row and first_row.group(1) == "routes-reachable"
