"""Reading a report folder back: ``checklist.json``, or ``results.json`` rolled up anew."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.messages.core import msg
from harness.report.build import build_checklist_report
from harness.report.checklist import DEFAULT_CHECKLISTS_DIR, load_checklist


def report_folder(path: Path) -> Path:
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        raise ConfigError(msg("files.not_report_folder", path=path), hint=msg("files.pass_report_folder"))
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
            msg("files.no_report_files", folder=folder), hint=msg("files.pass_harness_folder"),
        )
    results = _read_json(results_json)
    name = results.get("target", {}).get("checklist") or "phase1"
    checklist = load_checklist(name, checklists_dir or Path(DEFAULT_CHECKLISTS_DIR))
    return build_checklist_report(results, checklist, lang=lang or "en")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(msg("files.bad_json", path=path, error=exc), hint=msg("files.rerun")) from None
    if not isinstance(data, dict):
        raise ConfigError(msg("files.not_report", path=path), hint=msg("files.rerun"))
    return data
