"""Comparing two runs for the nightly trend: which items changed, newly failing first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from harness.report.i18n import labels
from harness.report.present import say_line

# Order of the listing: what got worse comes first, the worst of it at the very top.
_ORDER = {"newly failing": 0, "cause changed": 1, "newly blocked": 2, "no longer run": 3, "fixed": 4,
          "changed": 5, "new item": 6, "removed": 7}
# The kinds a nightly job alerts on: worse than the night before, or failing for a new reason.
ALERTS = ("newly failing", "cause changed", "newly blocked")
KINDS_JA = {"newly failing": "新たに不合格", "cause changed": "原因が変化", "newly blocked": "新たにブロック",
            "no longer run": "未実施に変化", "fixed": "修正済み", "changed": "変化", "new item": "新しい項目",
            "removed": "削除された項目"}


@dataclass(frozen=True)
class Change:
    item: str
    kind: str
    old: str | None
    new: str | None
    old_cause: str | None = None
    new_cause: str | None = None

    def line(self, lang: str = "en", known: dict[str, Any] | None = None) -> str:
        """One line; ``known``: the two runs' Messages, so a cause shows in ``lang`` too."""
        kind = KINDS_JA.get(self.kind, self.kind) if lang == "ja" else self.kind
        L = labels(lang)
        old, new = (L.get(s, s) if s else "—" for s in (self.old, self.new))
        text = f"{kind:<14} {self.item:<20} {old} → {new}"
        if self.kind == "cause changed":
            said = [say_line(self.item, c, lang, known or {}) for c in (self.old_cause, self.new_cause)]
            text += f": {said[0]} ⇒ {said[1]}"
        return text


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {i["id"]: i["status"] for i in old.get("items", [])}
    after = {i["id"]: i["status"] for i in new.get("items", [])}
    causes_before, causes_after = _causes(old), _causes(new)
    changes = []
    for item in [*after, *(i for i in before if i not in after)]:
        was, now = before.get(item), after.get(item)
        if was != now:
            changes.append(Change(item, _kind(was, now), was, now))
        elif now == "fail" and _same(causes_before.get(item)) != _same(causes_after.get(item)):
            # fail → fail for another reason: a new bug hiding behind a known one.
            changes.append(Change(item, "cause changed", was, now, causes_before.get(item), causes_after.get(item)))
    return sorted(changes, key=lambda c: _ORDER[c.kind])  # stable: checklist order within a kind


def _causes(payload: dict[str, Any]) -> dict[str, str]:
    """Each item's failing summaries (or its reason), the "why" compared across runs."""
    out = {}
    for item in payload.get("items", []):
        lines = [c.get("summary") or "" for c in item.get("evidence", []) if not c.get("ok")]
        out[item["id"]] = "; ".join(lines) or (item.get("reason") or "")
    return out


def _same(cause: str | None) -> str | None:
    """Timings and other decimals change every night; they are not a new cause."""
    return re.sub(r"\d+\.\d+", "#", cause) if cause else cause


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
