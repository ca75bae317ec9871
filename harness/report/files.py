"""Writing a report folder's files: results.json, checklist.json/.md/.html, scrubbed.

Pure functions of the payloads; the pytest session glue that decides what goes in them is
``harness.plugin.report``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.report.render import render_html, render_markdown
from harness.report.results import write_json
from harness.report.trend import earlier_runs, trend
from harness.secrets import redact


def write_folder(folder: Path, results: dict[str, Any] | None, payload: dict[str, Any] | None) -> None:
    if results is not None:
        write_json(folder / "results.json", results)
    if payload is not None:
        write_checklist_files(folder, payload)
    redact_tree(folder)


def write_checklist_files(folder: Path, payload: dict[str, Any], lang: str | None = None) -> None:
    # The same target's earlier runs beside this folder (the nightly job downloads them there).
    payload["trend"] = trend(earlier_runs(folder.parent, payload), payload)
    write_json(folder / "checklist.json", payload)
    (folder / "checklist.md").write_text(render_markdown(payload, lang), encoding="utf-8")
    (folder / "checklist.html").write_text(render_html(payload, lang), encoding="utf-8")


def redact_tree(folder: Path) -> None:
    """Scrub secrets from every text file in ``folder`` (JUnit XML, Allure results hold
    raw failure text that the harness did not write itself)."""
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        cleaned = redact(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
