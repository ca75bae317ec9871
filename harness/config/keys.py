"""Helpers every profile section parser shares (kept apart so config modules import them
without a circle through targets.py)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.messages.core import msg


def reject_unknown_keys(table: Mapping[str, Any], known: AbstractSet[str], where: str) -> None:
    """One line naming the first unknown key of a profile table and listing the known ones;
    every section parser uses it, so a typo reads the same wherever it is."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            msg("config.unknown_key", where=where, key=repr(unknown[0])),
            hint=msg("config.known_keys", keys=", ".join(sorted(known))),
        )


def resolve_path(value: str | None, base: Path) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def number(
    table: Mapping[str, Any], key: str, default: float, where: str,
    *, minimum: float = 0.0, positive: bool = True,
) -> float:  # fmt: skip
    """A number of seconds (or a count): ``budget_s = "fast"`` or ``-1`` is one line, not a
    traceback half-way through the run."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(msg("config.not_number", where=where, key=key, value=repr(value)),
                          hint=msg("config.example", key=key, value=repr(default)))  # fmt: skip
    if value < minimum or (positive and value <= 0):
        bound = msg("config.greater_than_0") if positive else msg("config.at_least", minimum=f"{minimum:g}")
        raise ConfigError(msg("config.out_of_range", where=where, key=key, value=repr(value), bound=bound),
                          hint=msg("config.example", key=key, value=repr(default)))  # fmt: skip
    return float(value)
