"""Allure extras, active only with ``--alluredir`` (allure-pytest installed).

* every test gets labels: epic = the phase, feature = its checklist item(s), severity =
  critical for a required item, normal otherwise; parentSuite = the phase and suite = the
  item, so Allure's Suites tab groups phase → item instead of by file;
* each test's checks are attached after the run (the JSON as the harness recorded it and
  the same evidence rendered as a Markdown table), matched by the test's node id label;
* ``environment.properties`` (target with passwords masked, code revision, DB facts) and
  ``categories.json`` (target unreachable / product failure / configuration error);
* finally every file in the folder is scrubbed of registered secrets and URL passwords,
  because allure-pytest stores raw failure text and captured output.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from harness.report.checklist import Checklist
from harness.report.evidence import render_check

NODEID_LABEL = "harness_nodeid"

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
        item.add_marker(label(phase, label_type="parentSuite"))
        item.add_marker(label(item.nodeid, label_type=NODEID_LABEL))
        for item_id in ids:
            item.add_marker(label(item_id, label_type="feature"))
            item.add_marker(label(item_id, label_type="suite"))
        item.add_marker(label("critical" if required else "normal", label_type="severity"))


def write_extras(directory: Path, payload: dict[str, Any] | None, target: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if payload is not None:
        attach_evidence(directory, payload)
        summary = payload["summary"]
        # Allure's headline counts tests; the executor's build name carries the checklist's N/M.
        executor = {"name": "staging harness", "type": "harness",
                    "buildName": f"{payload['checklist']['id']} {payload['target'].get('name')}: "
                                 f"{summary['done']}/{summary['total']} items ({summary['percent']:.1f}%)"}  # fmt: skip
        (directory / "executor.json").write_text(json.dumps(executor, ensure_ascii=False), encoding="utf-8")
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
        env.update(payload["facts"])
        summary = payload["summary"]
        env["items"] = f"{summary['done']}/{summary['total']} ({summary['percent']:.1f}%)"
    return {key: ("" if value is None else value) for key, value in env.items()}


def _escape(value: str) -> str:
    """Java .properties: backslashes and line breaks would corrupt the file."""
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def attach_evidence(directory: Path, payload: dict[str, Any]) -> None:
    """Add each test's checks to its Allure result: raw JSON plus the rendered table."""
    by_test = {t["nodeid"]: _checks_of(payload, t["nodeid"]) for i in payload["items"] for t in i["tests"]}
    for path in directory.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        nodeid = next((lb["value"] for lb in result.get("labels", []) if lb.get("name") == NODEID_LABEL), None)
        found = by_test.get(nodeid or "")
        if not found or any(a.get("name") == "evidence.json" for a in result.get("attachments", [])):
            continue
        result.setdefault("attachments", []).extend([
            _attachment(directory, "evidence.json", json.dumps(found, indent=2, ensure_ascii=False), "application/json", "json"),
            _attachment(directory, "evidence.md", _markdown(found), "text/markdown", "md"),
        ])  # fmt: skip
        path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _checks_of(payload: dict[str, Any], nodeid: str) -> list[dict[str, Any]]:
    """The checks one test recorded (an item's evidence is its tests' checks, in order)."""
    for item in payload["items"]:
        for test in item["tests"]:
            if test["nodeid"] == nodeid:
                return [c for c in item["evidence"] if c.get("item") == item["id"]] or item["evidence"]
    return []


def _attachment(directory: Path, name: str, body: str, mime: str, ext: str) -> dict[str, str]:
    source = f"{uuid.uuid4()}-attachment.{ext}"
    (directory / source).write_text(body, encoding="utf-8")
    return {"name": name, "source": source, "type": mime}


def _markdown(checks: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for check in checks:
        lines += [f"**{check.get('item')}** — {check.get('summary')}", ""]
        for table in render_check(check):
            lines.append("| " + " | ".join(table.headers) + " |")
            lines.append("|" + " --- |" * len(table.headers))
            lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in table.rows]
            lines.append("")
    return "\n".join(lines)
