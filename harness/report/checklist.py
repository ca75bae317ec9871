"""Checklist items (``checklists/<name>.toml``) and how test outcomes roll up into them.

An automated item is proved by the tests marked ``@pytest.mark.checklist("<id>")``:

* **fail**     any of its tests failed or errored
* **blocked**  none failed, at least one could not look at the target (``TargetUnavailable``)
* **pass**     none failed or was blocked and at least one passed (the rest skipped: n/a)
* **not_run**  no test of it ran: all skipped ("not run: no database_url"), or none was
               collected at all (a subset was selected). ``in_scope`` tells the two apart.
* **na**       not applicable, with a reason: the profile says so
               (``[targets.X.checks] not_applicable``) or policy does (writes not allowed,
               production). Left out of N/M and never gates.
* **interrupted**  a test of it was stopped before it finished (Ctrl-C, SIGTERM): never pass.

A manual item ("documentation updated") is ``not_run`` until a person ticks it at sign-off.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.errors import EXIT_BLOCKED, ConfigError
from harness.messages.core import msg

STATUSES = ("pass", "fail", "blocked", "na", "not_run", "interrupted")
LANGS = ("en", "ja")
DEFAULT_CHECKLISTS_DIR = "checklists"


@dataclass(frozen=True)
class Item:
    id: str
    title: Mapping[str, str]
    required: bool = True
    manual: bool = False

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.id


@dataclass(frozen=True)
class Checklist:
    id: str
    phase: Mapping[str, str]
    title: Mapping[str, str]
    items: tuple[Item, ...]

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)

    def unknown_ids(self, used: Iterable[str]) -> list[str]:
        known = set(self.ids)
        return sorted({item_id for item_id in used if item_id not in known})

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "phase": dict(self.phase), "title": dict(self.title)}


# Where the plugin keeps the run's checklist.
checklist_key = pytest.StashKey[Checklist]()


# ---------------------------------------------------------------- loading


def checklist_path(name: str, directory: Path) -> Path:
    return directory / f"{name}.toml"


def load_checklist(name: str, directory: Path) -> Checklist:
    """Load and validate ``<directory>/<name>.toml``; every problem is a ``ConfigError``."""
    path = checklist_path(name, directory)
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []
        raise ConfigError(
            msg("files.checklist_missing", name=repr(name), path=path),
            hint=msg("files.set_checklist", names=", ".join(known) or msg("files.none_in", folder=directory)),
        )
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(msg("files.bad_toml", path=path, error=exc), hint=msg("files.fix_syntax")) from exc
    return parse_checklist(document, str(path), default_id=name)


def parse_checklist(document: Mapping[str, Any], where: str, *, default_id: str) -> Checklist:
    head = document.get("checklist", {})
    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ConfigError(msg("files.no_items", where=where), hint=msg("files.add_items"))
    items = tuple(_item(raw, f"{where}: items[{n}]") for n, raw in enumerate(raw_items))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ConfigError(msg("files.item_twice", where=where, item=repr(item.id)), hint=msg("files.unique_ids"))
        seen.add(item.id)
    return Checklist(
        id=str(head.get("id", default_id)),
        phase=_texts(head.get("phase", default_id), f"{where}: checklist.phase"),
        title=_texts(head.get("title", default_id), f"{where}: checklist.title"),
        items=items,
    )


def _item(raw: Any, where: str) -> Item:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise ConfigError(msg("files.item_needs_id", where=where), hint=msg("files.give_id"))
    unknown = sorted(set(raw) - {"id", "title", "required", "manual"})
    if unknown:
        raise ConfigError(msg("files.unknown_key", where=where, key=repr(unknown[0])), hint=msg("files.item_keys"))
    for flag in ("required", "manual"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise ConfigError(msg("files.flag_bool", where=where, flag=flag), hint=msg("files.fix_flag", flag=flag))
    return Item(
        id=raw["id"],
        title=_texts(raw.get("title", raw["id"]), f"{where}.title"),
        required=raw.get("required", True),
        manual=raw.get("manual", False),
    )


def _texts(value: Any, where: str) -> dict[str, str]:
    """A title is ``{en = "...", ja = "..."}``; a plain string serves every language."""
    if isinstance(value, str):
        return dict.fromkeys(LANGS, value)
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()) and value:
        return {**dict.fromkeys(LANGS, next(iter(value.values()))), **value}
    raise ConfigError(msg("files.title_shape", where=where), hint=msg("files.fix_title"))


# ---------------------------------------------------------------- rolling up


def item_status(outcomes: list[str]) -> str:
    """The status of an automated item from its tests' outcomes (results.json vocabulary)."""
    if any(outcome in ("failed", "error") for outcome in outcomes):
        return "fail"
    if "interrupted" in outcomes:
        return "interrupted"
    if "blocked" in outcomes:
        return "blocked"
    if "passed" in outcomes:
        return "pass"
    if outcomes and all(outcome == "na" for outcome in outcomes):
        return "na"
    return "not_run"


def manual_status(tick: str | None) -> str:
    return {"done": "pass", "not-done": "fail"}.get(tick or "", "not_run")


def summarise(items: list[dict[str, Any]]) -> dict[str, Any]:
    """``N/M items (P%)``: N items passing out of the M applicable items (n/a left out)."""
    total = sum(1 for item in items if item["status"] != "na")
    done = sum(1 for item in items if item["status"] == "pass")
    by_status = {status: sum(1 for i in items if i["status"] == status) for status in STATUSES}
    # A waived item (every failing finding accepted in waivers.toml) does not hold the release.
    not_done = [
        i["id"] for i in items if i["required"] and i["status"] not in ("pass", "na") and not i.get("waived")
    ]
    return {
        "done": done,
        "total": total,
        "percent": round(100.0 * done / total, 1) if total else 0.0,
        "by_status": by_status,
        "required_not_passing": not_done,
    }


def decide_exit(
    pytest_exit: int,
    items: list[dict[str, Any]],
    *,
    other_failures: bool,
    target_unavailable: bool,
    config_error: bool = False,
) -> int:
    """The run's exit code from the item statuses, by one rule (README "Exit codes").

    pytest's own 2/3/4 (interrupted, internal error, usage error) are kept, and so is an
    interrupted item (2). A ConfigError a test met (a wrong database password) → 4: a person
    must change something, neither the target nor a retry will. Otherwise a failing required
    item (not waived), or a failure outside the checklist (a test without an item, a module that does not import) → 1; a blocked
    required item → 75: a retry may help, and blocked outranks not-run, because an
    unreachable target leaves the rest unrun; a required item in scope whose tests were all
    skipped → 1 (not done, retrying will not change it); else 0. n/a items never gate, and
    items none of whose tests was collected (a subset selected) do not count.
    """
    if pytest_exit not in (0, 1, 5):
        return pytest_exit
    required = [i for i in items if i["required"] and not i["manual"] and i["in_scope"] and not i.get("waived")]
    statuses = {i["status"] for i in required}
    if "interrupted" in statuses:
        return int(pytest.ExitCode.INTERRUPTED)
    if config_error:
        return int(pytest.ExitCode.USAGE_ERROR)
    if "fail" in statuses or other_failures:
        return 1
    if "blocked" in statuses:
        return EXIT_BLOCKED
    if "not_run" in statuses:
        return 1
    if pytest_exit == 5:
        return EXIT_BLOCKED if target_unavailable else 5
    return 0
