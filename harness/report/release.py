"""One release checklist across several services' runs.

Teams with several backends sign a release off as a whole. ``combine`` takes each service's
checklist payload (one run's ``checklist.json``) and makes one payload of the same shape, so
the Markdown/HTML renderers, ``signoff`` and ``compare`` work on it unchanged: each item is
``<service>/<item>`` with its title prefixed by the service, its status, evidence, waivers
and remedies as the service's run recorded them. Running the services' checks in parallel is
the CI system's job (a matrix); this only joins their reports.
"""

from __future__ import annotations

from typing import Any

from harness.errors import ConfigError
from harness.report.build import FACT_KEYS, SCHEMA_VERSION
from harness.report.checklist import summarise

TITLE = {"en": "Release across {n} services: {names}", "ja": "{n} サービスのリリース: {names}"}
PHASE = {"en": "Release", "ja": "リリース"}


def combine(services: list[tuple[str, dict[str, Any]]], lang: str = "en") -> dict[str, Any]:
    """``services``: (name, payload) pairs, in the order the report lists them."""
    names = [name for name, _ in services]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(f"service {twice[0]!r} is given twice.", hint="pass one run per service")
    items = [_item(name, item) for name, payload in services for item in payload.get("items", [])]
    listing = ", ".join(names)
    blocked = [f"{name}: {p['blocked_reason']}" for name, p in services if p.get("blocked_reason")]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "release",
        "lang": lang,
        "checklist": {"id": "release", "phase": dict(PHASE),
                      "title": {k: v.format(n=len(names), names=listing) for k, v in TITLE.items()}},
        "run_id": "+".join(str(p.get("run_id")) for _, p in services),
        "target": {"name": "+".join(names), "kind": "release", "base_url": None, "database_url": None},
        "facts": dict.fromkeys(FACT_KEYS),  # per service, in each run's own report
        "services": [_service(name, payload) for name, payload in services],
        "started_at": min((p.get("started_at") or "" for _, p in services), default=None),
        "finished_at": max((p.get("finished_at") or "" for _, p in services), default=None),
        "duration_s": sum(p.get("duration_s") or 0.0 for _, p in services),
        "exit_status": release_exit(items),
        "blocked_reason": "; ".join(blocked) or None,
        "summary": summarise(items),
        "items": items,
        "unmarked_tests": [t for _, p in services for t in p.get("unmarked_tests", [])],
        "collection_errors": [
            {**e, "path": f"{name}: {e.get('path')}"} for name, p in services for e in p.get("collection_errors", [])
        ],
        "waivers": [{**w, "item": f"{name}/{w.get('item')}"} for name, p in services for w in p.get("waivers", [])],
        "signoffs": [],
    }  # fmt: skip


def _item(service: str, item: dict[str, Any]) -> dict[str, Any]:
    title = {lang: f"{service}: {text}" for lang, text in item.get("title", {}).items()}
    return {**item, "id": f"{service}/{item['id']}", "item": item.get("item", item["id"]),
            "service": service, "title": title}  # fmt: skip


def _service(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "target": payload.get("target", {}).get("name"), "run_id": payload.get("run_id"),
            "summary": payload.get("summary"), "exit_status": payload.get("exit_status"),
            "signed_by": [s.get("by") for s in payload.get("signoffs", [])]}  # fmt: skip


def release_exit(items: list[dict[str, Any]]) -> int:
    """The one exit rule over every service's items: 1 a required item fails or was not run,
    75 one is blocked (a retry of that service may help), else 0."""
    statuses = {
        i["status"] for i in items if i["required"] and not i["manual"] and not i.get("waived")
    }
    if statuses & {"fail", "not_run", "interrupted"}:
        return 1
    return 75 if "blocked" in statuses else 0
