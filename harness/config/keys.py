"""Helpers every profile section parser shares (kept apart so config modules import them
without a circle through targets.py)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from harness.errors import ConfigError


def reject_unknown_keys(table: Mapping[str, Any], known: AbstractSet[str], where: str) -> None:
    """One line naming the first unknown key of a profile table and listing the known ones;
    every section parser uses it, so a typo reads the same wherever it is."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}.", hint=f"known keys: {', '.join(sorted(known))}"
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
        raise ConfigError(f"{where}.{key}: expected a number, got {value!r}.", hint=f"e.g. {key} = {default!r}")
    if value < minimum or (positive and value <= 0):
        bound = "greater than 0" if positive else f"at least {minimum:g}"
        raise ConfigError(f"{where}.{key}: {value!r} is out of range, expected {bound}.", hint=f"e.g. {key} = {default!r}")
    return float(value)
