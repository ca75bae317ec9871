"""Comparing two runs for the nightly trend: which items changed, newly failing first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Order of the listing: what got worse comes first, the worst of it at the very top.
_ORDER = {"newly failing": 0, "newly blocked": 1, "no longer run": 2, "fixed": 3, "changed": 4, "new item": 5, "removed": 6}


@dataclass(frozen=True)
class Change:
    item: str
    kind: str
    old: str | None
    new: str | None

    def line(self) -> str:
        return f"{self.kind:<14} {self.item:<20} {self.old or '—'} → {self.new or '—'}"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {i["id"]: i["status"] for i in old.get("items", [])}
    after = {i["id"]: i["status"] for i in new.get("items", [])}
    changes = [
        Change(item, _kind(before.get(item), after.get(item)), before.get(item), after.get(item))
        for item in [*after, *(i for i in before if i not in after)]
        if before.get(item) != after.get(item)
    ]
    return sorted(changes, key=lambda c: _ORDER[c.kind])  # stable: checklist order within a kind


def _kind(old: str | None, new: str | None) -> str:
    if old is None:
        return "new item"
    if new is None:
        return "removed"
    if new == "fail":
        return "newly failing"
    if new == "blocked":
        return "newly blocked"
    if new == "pass":
        return "fixed"
    if new == "not_run" and old == "pass":
        return "no longer run"
    return "changed"
