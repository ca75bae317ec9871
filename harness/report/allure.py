"""Allure extras, active only with ``--alluredir`` (allure-pytest installed).

* every test gets labels: epic = the phase, feature = its checklist item(s), severity =
  critical for a required item, normal otherwise;
* ``environment.properties`` (target with passwords masked, code revision, DB facts) and
  ``categories.json`` (target unreachable / product failure / configuration error);
* finally every file in the folder is scrubbed of registered secrets and URL passwords,
  because allure-pytest stores raw failure text and captured output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.report.checklist import Checklist

CATEGORIES = [
    {
        "name": "Target unreachable (blocked)",
        "matchedStatuses": ["skipped", "broken"],
        "messageRegex": "(?s).*(blocked|TargetUnavailable|TargetUnreachable|DatabaseUnreachable|StackError).*",
    },
    {
        "name": "Configuration error",
        "matchedStatuses": ["broken", "skipped"],
        "messageRegex": "(?s).*(ConfigError|not run:|Hint:).*",
    },
    {"name": "Product failure", "matchedStatuses": ["failed"]},
]


def alluredir(config: pytest.Config) -> Path | None:
    value = config.getoption("allure_report_dir", None)
    return Path(value).absolute() if value else None


def add_labels(config: pytest.Config, items: list[pytest.Item], checklist: Checklist) -> None:
    if alluredir(config) is None:
        return
    label = pytest.mark.allure_label  # registered by allure-pytest's own configure
    phase = checklist.phase.get("en", checklist.id)
    for item in items:
        marker = item.get_closest_marker("checklist")
        ids = [str(a) for a in marker.args] if marker else []
        required = any(entry.required for i in ids if (entry := checklist.item(i)) is not None)
        item.add_marker(label(phase, label_type="epic"))
        for item_id in ids:
            item.add_marker(label(item_id, label_type="feature"))
        item.add_marker(label("critical" if required else "normal", label_type="severity"))


def write_extras(directory: Path, payload: dict[str, Any] | None, target: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "categories.json").write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")
    properties = _environment(payload, target)
    lines = [f"{key}={_escape(str(value))}" for key, value in properties.items()]
    (directory / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _environment(payload: dict[str, Any] | None, target: dict[str, Any]) -> dict[str, Any]:
    env: dict[str, Any] = {
        "target": target.get("name"),
        "target.kind": target.get("kind"),
        "target.base_url": target.get("base_url"),
        "target.database_url": target.get("database_url"),  # masked by Target.describe
    }
    if payload is not None:
        env["checklist"] = payload["checklist"]["id"]
        env.update({key: value for key, value in payload["facts"].items()})
        summary = payload["summary"]
        env["items"] = f"{summary['done']}/{summary['total']} ({summary['percent']:.1f}%)"
    return {key: ("" if value is None else value) for key, value in env.items()}


def _escape(value: str) -> str:
    """Java .properties: backslashes and line breaks would corrupt the file."""
    return value.replace("\\", "\\\\").replace("\n", "\\n")
