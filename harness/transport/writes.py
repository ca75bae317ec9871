"""What the harness wrote to a database, for the report's list of writes.

Reading connections are read-only at the server (``harness.transport.engines``). Each write
the harness does make — through a ``make_writer`` engine — is recorded here as it happens:
what was done (``create schema``, ``drop database``, ``delete rows``, ``terminate
sessions`` …), to what, and in which database (host:port/name, never a password). The plugin
moves this process's records into the test report of the moment (they travel to the xdist
controller that way) and lists them all in results.json (``environment.writes``) and
checklist.json (``writes``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

_LOG: list[dict[str, Any]] = []
# The key of a test report's user_properties that carries them (it survives the xdist wire).
PROP_WRITES = "harness_writes"


def where(engine: Engine) -> str:
    url = engine.url
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def record(engine: Engine, action: str, obj: str, **detail: Any) -> None:
    """One write: ``action`` done to ``obj`` in the database behind ``engine``."""
    details = {key: value for key, value in detail.items() if value not in (None, "")}
    _LOG.append({"action": action, "object": obj, "database": where(engine), **details})


def drain() -> list[dict[str, Any]]:
    """The writes recorded since the last drain (this process), oldest first."""
    taken = list(_LOG)
    _LOG.clear()
    return taken


def collect(extra: dict[str, Any], made: list[dict[str, Any]], by: str) -> None:
    """Add writes to the run's list (the controller's ``extra``), each with what made it."""
    extra.setdefault("writes", []).extend({**write, "by": by} for write in made)
