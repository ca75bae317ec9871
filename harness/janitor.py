"""The janitor: removes what dead or expired runs left behind, and nothing else.

Each concern that writes to a target contributes a sweeper, listed in ``SWEEPERS`` as
``"module:function"``. A sweeper has the signature
``(engine: Engine, ttl_s: float, target: Target | None, dead: DeadRun | None) -> list[str]``
and returns a line per thing it removed; the target (when known) carries the profile's
mapping of the app's tables. Sweepers only touch what the harness tags (``hv_`` schemas,
rows named with a run id), and only of a run that is dead — its liveness lock is free
(harness.transport.liveness) — or, for a run that holds no such lock, older than the TTL.
The engine is a writing one (``make_writer``): every removal is recorded as a write.

``sweep_local`` is the machine's half: app processes and embedded clusters of harness runs
whose owner process is dead. It needs no database_url (a local target has none until a run
brings its cluster up) and runs for every target, since the leftovers are on this machine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy import Engine

from harness.config.database import DEFAULT_TTL_S as DEFAULT_TTL_S  # commands.janitor's default
from harness.config.targets import Target
from harness.transport.db import database_errors
from harness.transport.liveness import Liveness

SWEEPERS: tuple[str, ...] = (
    "harness.transport.db:sweep_schemas",  # issue: throwaway schemas (hv_<run id>_<worker>)
    "harness.flow.wallet:sweep_tagged_rows",  # issue: wallet flow rows named with a run id
    "harness.flow.rows:sweep_declared_rows",  # issue 13: declared flows' rows by run tag
)

Sweeper = Callable[..., list[str]]


def load_sweepers() -> list[Sweeper]:
    """Imported lazily: each sweeper's module pulls in its whole concern."""
    sweepers = []
    for spec in SWEEPERS:
        module_name, _, attr = spec.partition(":")
        sweepers.append(getattr(importlib.import_module(module_name), attr))
    return sweepers


def sweep_local() -> list[str]:
    """Apps first (they hold connections to their cluster), then the clusters."""
    from harness.stack.postgres import sweep_orphans
    from harness.stack.procs import sweep_app_orphans

    removed = sweep_app_orphans()
    removed.extend(f"embedded PostgreSQL cluster {root}" for root in sweep_orphans())
    return removed


def sweep(
    engine: Engine, ttl_s: float = DEFAULT_TTL_S, target: Target | None = None, own_run: str | None = None
) -> list[str]:
    """``own_run``: the sweeping run, never judged. A connection lost mid-sweep (a restart)
    is TargetUnavailable, one line for the caller."""
    removed: list[str] = []
    dead = Liveness(engine, own_run).dead
    with database_errors(engine):
        for sweeper in load_sweepers():
            removed.extend(sweeper(engine, ttl_s, target, dead=dead))
    return removed
