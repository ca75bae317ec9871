"""One database's catalog at two moments of a round trip (harness.checks.roundtrip), compared
in its words: what a downgrade left behind or did not give back, what an upgrade run a second
time built differently. Labels are the catalog's (harness.checks.catalog); an object under a
table or schema that exists at one moment only is folded into that one line.

An extension a downgrade leaves installed is not a difference: ``CREATE EXTENSION IF NOT
EXISTS`` in an upgrade and a downgrade that keeps it (other schemas may use it) is a deliberate,
common choice, and the upgrade runs again over it. An extension a downgrade removes that was
there before its upgrade is a difference.
"""

from __future__ import annotations

from harness.checks.catalog import NOUN, ORDER, Snapshot, owner_of, schema_of

_WORDS = {
    "downgrade": ("left behind by the downgrade", "not given back by the downgrade",
                  "after the downgrade", "before the upgrade"),
    "upgrade": ("built only by the second upgrade", "not built by the second upgrade",
                "after the second upgrade", "after the first"),
}  # fmt: skip


def changes(now: Snapshot, before: Snapshot, after: str) -> list[str]:
    """One line per difference of ``now`` from ``before``; ``after`` is "downgrade" or "upgrade"."""
    extra, missing, is_now, was = _WORDS[after]
    lines: list[str] = []
    for kind in ORDER:
        have, want = now.get(kind, {}), before.get(kind, {})
        lines += [f"{_name(kind, e)}: {extra}{_shown(have[e])}" for e in sorted(set(have) - set(want))
                  if not _folded(kind, e, now, before)]  # fmt: skip
        lines += [f"{_name(kind, e)}: {missing}{_shown(want[e])}" for e in sorted(set(want) - set(have))
                  if not _folded(kind, e, before, now)]  # fmt: skip
        lines += [f"{_name(kind, e)}: {_cut(have[e])!r} {is_now}, {_cut(want[e])!r} {was}"
                  for e in sorted(set(have) & set(want)) if have[e] != want[e]]  # fmt: skip
    gone = sorted(set(before.get("extensions", {})) - set(now.get("extensions", {})))
    return lines + [f"extension {name}: {missing}" for name in gone]


def _name(kind: str, entry: str) -> str:
    """``users.credits`` → ``column users.credits``; other labels already say what they are
    (``tasks index ix_tasks_status``, ``trigger t on tasks``)."""
    return f"{NOUN[kind]} {entry}" if kind in ("tables", "columns") else entry


def _shown(definition: str) -> str:
    return f" ({_cut(definition)})" if definition else ""


def _cut(definition: str, limit: int = 200) -> str:
    return definition if len(definition) <= limit else definition[: limit - 1] + "…"


def _folded(kind: str, entry: str, side: Snapshot, other: Snapshot) -> bool:
    """``entry`` exists only because its table or schema exists on ``side`` only."""
    if kind != "schemas":
        schema = f"schema {schema_of(kind, entry)}"
        if schema in side.get("schemas", {}) and schema not in other.get("schemas", {}):
            return True
    table = owner_of(kind, entry)
    return table is not None and table in side.get("tables", {}) and table not in other.get("tables", {})
