"""The janitor: removes what earlier runs left behind, by age, and nothing else.

Each concern that writes to a target contributes a sweeper, listed in ``SWEEPERS`` as
``"module:function"``. A sweeper has the signature
``(engine: Engine, ttl_s: float) -> list[str]`` and returns a line per thing it removed.
Sweepers only touch what the harness tags (``hv_`` schemas, rows named with a run id).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy import Engine

DEFAULT_TTL_S = 6 * 3600.0
SWEEPERS: tuple[str, ...] = (
    "harness.db:sweep_schemas",  # issue: throwaway schemas (hv_<run id>_<worker>)
    "harness.checks.wallet:sweep_tagged_rows",  # issue: wallet flow rows named with a run id
)

Sweeper = Callable[[Engine, float], list[str]]


def load_sweepers() -> list[Sweeper]:
    """The sweepers that exist in this version (a concern not built yet is skipped)."""
    found = []
    for spec in SWEEPERS:
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        sweeper = getattr(module, attr, None)
        if sweeper is not None:
            found.append(sweeper)
    return found


def sweep(engine: Engine, ttl_s: float = DEFAULT_TTL_S) -> list[str]:
    removed: list[str] = []
    for sweeper in load_sweepers():
        removed.extend(sweeper(engine, ttl_s))
    return removed
