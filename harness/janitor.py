"""The janitor: removes what earlier runs left behind, by age, and nothing else.

Each concern that writes to a target contributes a sweeper, listed in ``SWEEPERS`` as
``"module:function"``. A sweeper has the signature
``(engine: Engine, ttl_s: float, target: Target | None) -> list[str]`` and returns a line per
thing it removed; the target (when known) carries the profile's mapping of the app's
tables. Sweepers only touch what the harness tags (``hv_`` schemas, rows named with a run id).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy import Engine

from harness.config.database import DEFAULT_TTL_S
from harness.config.targets import Target

SWEEPERS: tuple[str, ...] = (
    "harness.transport.db:sweep_schemas",  # issue: throwaway schemas (hv_<run id>_<worker>)
    "harness.flow.wallet:sweep_tagged_rows",  # issue: wallet flow rows named with a run id
    "harness.flow.rows:sweep_declared_rows",  # issue 13: declared flows' rows by run tag
)

Sweeper = Callable[[Engine, float, "Target | None"], list[str]]


def load_sweepers() -> list[Sweeper]:
    """Imported lazily: each sweeper's module pulls in its whole concern."""
    sweepers = []
    for spec in SWEEPERS:
        module_name, _, attr = spec.partition(":")
        sweepers.append(getattr(importlib.import_module(module_name), attr))
    return sweepers


def sweep(engine: Engine, ttl_s: float = DEFAULT_TTL_S, target: Target | None = None) -> list[str]:
    removed: list[str] = []
    for sweeper in load_sweepers():
        removed.extend(sweeper(engine, ttl_s, target))
    return removed
