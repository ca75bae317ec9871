"""Sign-off: a person ticks the manual items and approves the release, or is refused.

Approval is refused while a required item is not passing, unless an override reason is
given; the reason is recorded beside who approved and when (``signoffs`` in checklist.json,
appended, so earlier approvals stay visible).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError
from harness.messages.core import msg
from harness.report.build import refresh_summary
from harness.report.results import iso, utc_now

TICKS = ("done", "not-done")
_WORST_FIRST = {"fail": 0, "blocked": 1, "interrupted": 2, "not_run": 3, "na": 4, "pass": 5}


@dataclass
class SignoffOutcome:
    recorded: bool
    not_passing: list[str]


def parse_ticks(values: list[str]) -> dict[str, str]:
    """``["docs-updated=done"]`` → ``{"docs-updated": "done"}``."""
    ticks: dict[str, str] = {}
    for value in values:
        item_id, sep, tick = value.partition("=")
        if not sep or tick not in TICKS:
            raise ConfigError(msg("signoff.bad_tick", value=repr(value)), hint=msg("signoff.bad_tick_hint"))
        ticks[item_id.strip()] = tick
    return ticks


def apply_ticks(payload: dict[str, Any], ticks: dict[str, str], *, by: str = "", at: str | None = None) -> None:
    items = {item["id"]: item for item in payload["items"]}
    manual = sorted(i for i, item in items.items() if item["manual"])
    for item_id, tick in ticks.items():
        item = items.get(item_id)
        if item is None or not item["manual"]:
            raise ConfigError(
                msg("signoff.not_manual", item=item_id),
                hint=msg("signoff.manual_items", items=", ".join(manual) or msg("signoff.none")),
            )
        item["status"] = "pass" if tick == "done" else "fail"
        reason = msg("signoff.ticked", tick=tick)
        item["reason"] = str(reason)
        payload.setdefault("messages", {})[str(reason)] = reason.to_json()  # the report renders it per language
        item["ticked"] = {"tick": tick, "by": by, "at": at or iso(utc_now())}  # who ticked it, and when
    refresh_summary(payload)


def sign(payload: dict[str, Any], *, by: str, ticks: dict[str, str], override: str | None) -> SignoffOutcome:
    """Tick, then approve unless a required item is not passing and no override is given."""
    if not by.strip():
        raise ConfigError(msg("signoff.no_by"), hint=msg("signoff.no_by_hint"))
    if override is not None and not override.strip():
        raise ConfigError(msg("signoff.no_reason"), hint=msg("signoff.no_reason_hint"))
    at = iso(utc_now())
    apply_ticks(payload, ticks, by=by.strip(), at=at)
    not_passing = [
        f"{i['id']} ({i['status'].replace('_', ' ')})"
        for i in sorted(payload["items"], key=lambda i: _WORST_FIRST.get(i["status"], 3))
        if i["required"] and i["status"] not in ("pass", "na") and not i.get("waived")
    ]
    if not_passing and override is None:
        return SignoffOutcome(recorded=False, not_passing=not_passing)
    # Appended, never replaced: the history keeps every approval, its ticks and the waivers it accepted.
    payload.setdefault("signoffs", []).append(
        {"by": by.strip(), "at": at, "override": override, "manual": ticks,
         "not_passing": not_passing, "summary": dict(payload["summary"]),
         "waivers": [w for w in payload.get("waivers", []) if w.get("active")]}
    )  # fmt: skip
    return SignoffOutcome(recorded=True, not_passing=not_passing)
