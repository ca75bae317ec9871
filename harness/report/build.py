"""``checklist.json``: the run's results (results.json) rolled up into checklist items.

It is the source of truth of every rendering and of sign-off. Schema (version 1)::

    {"schema_version": 1, "kind": "checklist", "lang", "checklist": {"id", "phase", "title"},
     "run_id", "target": {...masked...}, "facts": {"code_revision", "db_version",
     "pgvector_version", "alembic_heads", "db_revision"}, "started_at", "finished_at",
     "duration_s", "exit_status", "blocked_reason", "blocked_cause",
     "summary": {"done", "total", "percent", "by_status", "required_not_passing"},
     "items": [{"id", "title": {"en", "ja"}, "required", "manual", "status", "in_scope",
                "duration_s", "tests": [{"nodeid", "outcome", "duration_s", "message"}],
                "evidence": [check...], "remediation": [line...], "reason",
                "cause",        # blocked: why (harness.errors.CAUSES; the label names it)
                "app_errors": [{"error", "frame"}]}],  # the app's tracebacks (its log)
     "unmarked_tests": [...], "collection_errors": [{"path", "reason"}],
     "writes": [{"action", "object", "database", "by", ...}],
     "messages": {english text: {"id", "params"}},   # how to render each line in any language
     "signoffs": [{"by", "at", "override", "manual"}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.messages.core import Message, reason_code
from harness.report.checklist import Checklist, Item, item_status, manual_status, summarise

SCHEMA_VERSION = 1
FACT_KEYS = ("code_revision", "db_version", "pgvector_version", "alembic_heads", "db_revision")


def build_checklist_report(
    results: dict[str, Any],
    checklist: Checklist,
    *,
    lang: str = "en",
    not_applicable: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``not_applicable``: item id → reason, from the profile (``[targets.X.checks]``) or
    policy (no parity counterpart); results.json keeps the run's own, so a report rebuilt
    from it alone says the same."""
    tests = results.get("tests", [])
    blocked_reason = results.get("blocked_reason")
    blocked = (blocked_reason, results.get("blocked_cause"))
    items = [_item_entry(item, tests, blocked) for item in checklist.items]
    merged = {**results.get("not_applicable", {}), **(not_applicable or {})}
    na = {k: _as_message(v) for k, v in merged.items()}
    for entry in items:
        if entry["id"] in na:
            entry["status"], entry["reason"] = "na", f"n/a: {na[entry['id']]}"
    environment = results.get("environment", {})
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "checklist",
        "lang": lang,
        "checklist": checklist.to_dict(),
        "run_id": results.get("run_id"),
        # A run stopped by a configuration error knows only the target's name.
        "target": {"name": None, "kind": None, "base_url": None, "database_url": None, **results.get("target", {})},
        "facts": {key: environment.get(key) for key in FACT_KEYS},
        "started_at": results.get("started_at"),
        "finished_at": results.get("finished_at"),
        "duration_s": results.get("duration_s"),
        "exit_status": results.get("exit_status"),
        "blocked_reason": blocked_reason,
        "blocked_cause": results.get("blocked_cause"),
        "summary": summarise(items),
        "items": items,
        "unmarked_tests": [_test_entry(t) for t in tests if not t.get("checklist")],
        "collection_errors": list(results.get("collection_errors", [])),
        # What the harness wrote to the target's database (every other connection is read-only).
        "writes": environment.get("writes", []),
        # The Messages behind the English lines above (harness.messages.core).
        "messages": _messages(results, na),
        "signoffs": [],
    }


def _item_entry(item: Item, tests: list[dict[str, Any]], blocked: tuple[str | None, str | None]) -> dict[str, Any]:
    """``blocked``: the run's blocked reason and cause, when nothing could run at all."""
    blocked_reason, blocked_cause = blocked
    mine = [t for t in tests if item.id in t.get("checklist", [])]
    entry: dict[str, Any] = {
        "id": item.id,
        "title": dict(item.title),
        "required": item.required,
        "manual": item.manual,
        "in_scope": bool(mine),
        "duration_s": round(sum(t.get("duration_s", 0.0) for t in mine), 3),
        "tests": [_test_entry(t) for t in mine],
        "evidence": [check for t in mine for check in t.get("checks", [])],
        "remediation": _remediations(mine),
        "app_errors": _app_errors(mine),
    }
    if item.manual:
        entry["status"], entry["reason"] = manual_status(None), None
    elif blocked_reason and not mine:
        # The run stopped before collection (a configuration error): nothing was looked at.
        entry["status"], entry["reason"], entry["cause"] = "blocked", blocked_reason, blocked_cause
    else:
        entry["status"] = item_status([t["outcome"] for t in mine])
        entry["reason"] = _reason(entry["status"], mine)
        if entry["status"] == "blocked":
            entry["cause"] = next((t.get("cause") for t in mine if t.get("outcome") == "blocked"), None)
    return entry


def _app_errors(tests: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The app's tracebacks logged while the item's tests ran, each once."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for error in (e for t in tests for e in t.get("app_errors", [])):
        seen.setdefault((error.get("error", ""), error.get("frame", "")), error)
    return list(seen.values())


def _test_entry(test: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeid": test.get("nodeid"),
        "outcome": test.get("outcome"),
        "duration_s": test.get("duration_s", 0.0),
        "message": test.get("message"),
    }


def _remediations(tests: list[dict[str, Any]]) -> list[str]:
    lines = [c["remediation"] for t in tests for c in t.get("checks", []) if not c.get("ok") and c.get("remediation")]
    return list(dict.fromkeys(lines))


def _reason(status: str, tests: list[dict[str, Any]]) -> str | None:
    """The first message that explains a non-passing status."""
    wanted = {
        "fail": ("failed", "error"), "blocked": ("blocked",), "not_run": ("skipped",),
        "na": ("na",), "interrupted": ("interrupted",),
    }  # fmt: skip
    for test in tests:
        if test.get("outcome") in wanted.get(status, ()) and test.get("message"):
            return str(test["message"])
    return None


def _as_message(reason: str) -> Message:
    """A reason code (init's) as it is; a reason a person wrote in the profile is quoted as
    theirs, in their words, in every language."""
    reason = reason_code(reason) if not isinstance(reason, Message) else reason
    return reason if isinstance(reason, Message) else Message("profile.reason", text=reason)


def _messages(results: dict[str, Any], not_applicable: Mapping[str, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = dict(results.get("messages") or {})
    for test in results.get("tests", []):
        out.update(test.get("messages") or {})
    for reason in (not_applicable or {}).values():
        if isinstance(reason, Message):
            out[str(reason)] = reason.to_json()
    return out


def refresh_summary(payload: dict[str, Any]) -> None:
    """After sign-off ticks manual items the counts change."""
    payload["summary"] = summarise(payload["items"])
