"""Facts about the target that the report records: DB version, pgvector, Alembic heads.

Two ways in, both optional, both ending in ``results.json`` → ``environment``:

* a check that learns a fact records it with the ``record_fact`` fixture::

      def test_pgvector(db_engine, check, record_fact):
          result = check_pgvector(db_engine)
          record_fact("pgvector_version", result.evidence.get("version"))

  It travels in the test report's ``user_properties``, so it works under pytest-xdist.
  (``harness_state.extra[name] = value`` works too, but only without xdist.)
* at session end the controller fills whatever is still missing with a best-effort look
  (``gather_facts``): one short read-only connection; any error leaves the fact ``None``.
* what the harness wrote (harness.plugin.writes) is folded in as ``writes``.

Well-known names: ``db_version``, ``pgvector_version``, ``alembic_heads`` (list, from the
scripts), ``db_revision`` (list, from the version table the profile names).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.config.targets import Target
from harness.transport import writes

PROP_FACT = "harness_fact"
FACT_NAMES = ("db_version", "pgvector_version", "alembic_heads", "db_revision")


@pytest.fixture
def record_fact(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    def record(name: str, value: Any) -> None:
        request.node.user_properties.append((PROP_FACT, {name: value}))

    return record


class FactCollector:
    """Controller plugin: folds facts recorded by tests (any worker) into ``extra``."""

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == PROP_FACT and isinstance(value, dict):
                self.extra.update(value)
            elif key == writes.PROP_WRITES and isinstance(value, list):
                writes.collect(self.extra, value, report.nodeid)


def fill_missing_facts(target: Target | None, extra: dict[str, Any]) -> None:
    """Best effort: never raises, never waits long, leaves unknown facts ``None``."""
    missing = [name for name in FACT_NAMES if extra.get(name) is None]
    if target is None or not missing:
        return
    found: dict[str, Any] = {}
    if "alembic_heads" in missing:
        found["alembic_heads"] = _script_heads(target)
    if target.database_url and set(missing) - {"alembic_heads"}:
        found.update(_database_facts(target.database_url, _version_table(target)))
    for name in FACT_NAMES:
        if extra.get(name) is None:
            extra[name] = found.get(name)


def _script_heads(target: Target) -> list[str] | None:
    if target.alembic_ini is None or not target.alembic_ini.is_file():
        return None
    try:  # paths as the alembic CLI run from [app] dir; app-importing revisions in its interpreter
        from harness.checks.migrations import script_directory
        from harness.stack.appcode import AppCode

        app = AppCode(target.app) if target.app else None
        return sorted(script_directory(target.alembic_ini, app.spec.dir if app else None, app).get_heads())
    except Exception:  # noqa: BLE001 — a fact we cannot learn is recorded as unknown
        return None


def _version_table(target: Target) -> str:
    """Where the app keeps its version table ([database] version_table_schema / version_table)."""
    from harness.checks.migrations import version_table
    from harness.config.database import DatabaseSpec, database_spec

    try:
        return version_table(database_spec(target))
    except Exception:  # noqa: BLE001 — a bad profile is the database items' to report
        return version_table(DatabaseSpec())


def _database_facts(url: str, version_table: str = "alembic_version") -> dict[str, Any]:
    from sqlalchemy import text

    from harness.transport.db import make_engine

    engine = make_engine(url, connect_timeout_s=3)
    facts: dict[str, Any] = {}
    queries = {
        "db_version": ("SHOW server_version", False),
        "pgvector_version": ("SELECT extversion FROM pg_extension WHERE extname = 'vector'", False),
        "db_revision": (f"SELECT version_num FROM {version_table} ORDER BY 1", True),
    }
    try:
        with engine.connect() as connection:
            for name, (sql, many) in queries.items():
                try:
                    rows = connection.execute(text(sql)).scalars().all()
                    facts[name] = list(rows) if many else (rows[0] if rows else None)
                except Exception:  # noqa: BLE001 — e.g. no alembic_version table yet
                    connection.rollback()
                    facts[name] = None
    except Exception as exc:  # noqa: BLE001 — unreachable: the checks already said so
        facts["unreachable"] = type(exc).__name__
    finally:
        engine.dispose()
    return facts
