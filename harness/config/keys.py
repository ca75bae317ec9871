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
