"""Tally's own value types (named like the standard library's module, as real apps do)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Amount:
    cents: int
