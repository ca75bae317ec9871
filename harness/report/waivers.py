"""Waivers: a failure the team accepts on purpose, for a while, with a name on it.

``waivers.toml`` (next to targets.toml; ``--waivers`` / ini ``harness_waivers``)::

    [[waivers]]
    item = "schema-drift"
    finding = "users.credits"      # optional: one finding within the item; omit = all of it
    target = "staging"             # optional: only this target
    reason = "kept for compatibility with the v1 mobile client"
    who = "Aiko Sato"
    expires = 2026-12-31

A finding is one line of a failing check's evidence (schema-drift's ``differences``,
models-match's ``missing``, routes' ``missing``/``unexpected``, reachability's
``unreachable``) or, for other checks, the check's summary. A waived finding does not gate:
an item all of whose failing findings are covered by active waivers gets ``waived`` and
no longer fails the run. An expired waiver covers nothing and says so on the item.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.messages.core import msg

DEFAULT_WAIVERS_FILE = "waivers.toml"
FINDING_KEYS = ("differences", "missing", "unexpected", "unreachable")
_KEYS = {"item", "finding", "target", "reason", "who", "expires"}


@dataclass(frozen=True)
class Waiver:
    item: str
    reason: str
    who: str
    expires: date
    finding: str | None = None
    target: str | None = None

    def active(self, today: date) -> bool:
        return today <= self.expires

    def covers(self, finding: str) -> bool:
        if self.finding is None:
            return True
        return finding == self.finding or finding.startswith((f"{self.finding}:", f"{self.finding} "))

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "finding": self.finding, "target": self.target,
                "reason": self.reason, "who": self.who, "expires": self.expires.isoformat()}  # fmt: skip


def load_waivers(path: Path) -> list[Waiver]:
    """No file means no waivers; a malformed one is a ConfigError naming the entry."""
    if not path.is_file():
        return []
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(msg("files.bad_toml", path=path, error=exc), hint=msg("files.fix_syntax")) from exc
    entries = document.get("waivers", [])
    if not isinstance(entries, list):
        raise ConfigError(msg("files.waivers_shape", path=path), hint=msg("files.see_waivers"))
    return [_waiver(raw, f"{path}: waivers[{n}]") for n, raw in enumerate(entries)]


def _waiver(raw: Any, where: str) -> Waiver:
    if not isinstance(raw, dict):
        raise ConfigError(msg("files.waiver_table", where=where), hint=msg("files.see_waivers"))
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(msg("files.unknown_key", where=where, key=repr(unknown[0])),
                          hint=msg("files.known_keys", keys=", ".join(sorted(_KEYS))))  # fmt: skip
    for key in ("item", "reason", "who"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(msg("files.waiver_required", where=where, key=key), hint=msg("files.set_value", key=key))
    if not isinstance(raw.get("expires"), date):
        raise ConfigError(msg("files.expires_date", where=where), hint=msg("files.expires_example"))
    return Waiver(item=raw["item"], reason=raw["reason"].strip(), who=raw["who"].strip(), expires=raw["expires"],
                  finding=raw.get("finding"), target=raw.get("target"))  # fmt: skip


def check_items(waivers: list[Waiver], known: Iterable[str], target: str, path: Path) -> None:
    """A waiver for an item the checklist does not have would waive nothing while being
    listed as active: a typo (``helth``) must stop the run, naming the nearest item."""
    names = sorted(set(known))
    for n, waiver in enumerate(waivers):
        if waiver.target not in (None, target) or waiver.item in names:
            continue
        close = difflib.get_close_matches(waiver.item, names, n=1, cutoff=0.6)
        guess = msg("files.did_you_mean", close=repr(close[0])) if close else ""
        raise ConfigError(
            msg("files.waiver_item", path=path, n=n, item=repr(waiver.item)),
            hint=msg("files.waiver_item_hint", guess=guess, names=", ".join(names)),
        )


def findings(item: dict[str, Any]) -> list[str]:
    """The failing findings of an item, one string each."""
    out: list[str] = []
    for check in item.get("evidence", []):
        if check.get("ok"):
            continue
        lines = [str(line) for key in FINDING_KEYS for line in (check.get("evidence") or {}).get(key) or []]
        out += lines or [str(check.get("summary", ""))]
    return out


def apply_waivers(payload: dict[str, Any], waivers: list[Waiver], today: date) -> None:
    """Mark waived findings and items in place; record every waiver that applies to the target."""
    target = payload.get("target", {}).get("name")
    mine = [w for w in waivers if w.target in (None, target)]
    payload["waivers"] = [{**w.to_dict(), "active": w.active(today)} for w in mine]
    for item in payload["items"]:
        _apply(item, [w for w in mine if w.item == item["id"]], today)


def _apply(item: dict[str, Any], waivers: list[Waiver], today: date) -> None:
    item.pop("waived", None)
    item["waivers"] = []
    if not waivers:
        return
    failing = findings(item) if item["status"] == "fail" else []
    unwaived = list(failing)
    for waiver in waivers:
        covered = [f for f in failing if waiver.covers(f)]
        note = {**waiver.to_dict(), "active": waiver.active(today), "covers": covered}
        item["waivers"].append(note)
        if waiver.active(today):
            unwaived = [f for f in unwaived if f not in covered]
    if failing and not unwaived and not item.get("manual"):
        item["waived"] = True  # fails, but every failing finding is accepted: does not gate
