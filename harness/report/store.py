"""Reading a report folder back: ``checklist.json``, or ``results.json`` rolled up anew."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.report.build import build_checklist_report
from harness.report.checklist import DEFAULT_CHECKLISTS_DIR, load_checklist


def report_folder(path: Path) -> Path:
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        raise ConfigError(f"{path} is not a report folder.", hint="pass reports/<run>/ (or its checklist.json)")
    return folder


def load_payload(path: Path, *, checklists_dir: Path | None = None, lang: str | None = None) -> dict[str, Any]:
    """``checklist.json`` of a folder; built from its ``results.json`` when missing."""
    folder = report_folder(path)
    checklist_json = folder / "checklist.json"
    if checklist_json.is_file():
        return _read_json(checklist_json)
    results_json = folder / "results.json"
    if not results_json.is_file():
        raise ConfigError(
            f"{folder} has neither checklist.json nor results.json.",
            hint="pass a folder a harness run wrote under reports/",
        )
    results = _read_json(results_json)
    name = results.get("target", {}).get("checklist") or "phase1"
    checklist = load_checklist(name, checklists_dir or Path(DEFAULT_CHECKLISTS_DIR))
    return build_checklist_report(results, checklist, lang=lang or "en")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not readable JSON ({exc}).", hint="re-run the harness") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a report object.", hint="re-run the harness")
    return data
