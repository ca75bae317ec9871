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

from harness.checks.catalog import NOUN, ORDER, Snapshot, cut, folded, shown

_LIMIT = 200  # a definition shown in a round-trip difference

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
        lines += [f"{_name(kind, e)}: {extra}{shown(have[e], _LIMIT)}" for e in sorted(set(have) - set(want))
                  if not folded(kind, e, now, before)]  # fmt: skip
        lines += [f"{_name(kind, e)}: {missing}{shown(want[e], _LIMIT)}" for e in sorted(set(want) - set(have))
                  if not folded(kind, e, before, now)]  # fmt: skip
        lines += [f"{_name(kind, e)}: {cut(have[e], _LIMIT)!r} {is_now}, {cut(want[e], _LIMIT)!r} {was}"
                  for e in sorted(set(have) & set(want)) if have[e] != want[e]]  # fmt: skip
    gone = sorted(set(before.get("extensions", {})) - set(now.get("extensions", {})))
    return lines + [f"extension {name}: {missing}" for name in gone]


def _name(kind: str, entry: str) -> str:
    """``users.credits`` → ``column users.credits``; other labels already say what they are
    (``tasks index ix_tasks_status``, ``trigger t on tasks``)."""
    return f"{NOUN[kind]} {entry}" if kind in ("tables", "columns") else entry
