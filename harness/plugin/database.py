"""Database fixtures: throwaway schemas and databases, the snapshot, the app's models.

* Each session (each xdist worker) works in its own schema ``hv_<run id>_<worker>`` and,
  for schema-drift, a database ``hv_<run id>_<worker>_<epoch>_replay``; both are created on first
  use (through the writing engine), tagged for the janitor, and dropped when the session ends.
* The cleanup test is moved to the end of the run, so it can drop this session's objects
  and prove they are gone. The janitor at session start and the net at session finish are
  in harness.plugin.leftovers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import ProgrammingError

from harness.checks.models import Answer
from harness.config.database import DatabaseSpec, database_spec
from harness.config.targets import Target
from harness.config.urls import normalise_database_url
from harness.messages.core import msg
from harness.plugin.session import get_state
from harness.stack.appcode import AppCode
from harness.transport import db

CLEANUP_ITEM = "cleanup"
RECONNECT_ITEM = "db-reconnect"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """db-reconnect, then cleanup, last (stable otherwise): db-reconnect cuts the app's
    database sessions, which no other item should meet; cleanup judges what the others left."""
    def rank(item: pytest.Item) -> int:
        marker = item.get_closest_marker("checklist")
        ids = marker.args if marker else ()
        return 2 if CLEANUP_ITEM in ids else 1 if RECONNECT_ITEM in ids else 0

    items.sort(key=rank)


# ---------------------------------------------------------------- fixtures


@dataclass
class Throwaway:
    """This session's throwaway schema and replay database, created on first use, through
    ``engine`` (the writing engine; the replay database is then read read-only)."""

    engine: Engine
    run_id: str
    worker: str
    allowed: bool
    schema_created: bool = False
    replay_created: str | None = None  # its name carries the creation time: known once made
    rehearsal_named: str | None = None  # likewise, fixed at the first ask (the rehearsal's)

    @property
    def schema_name(self) -> str:
        return db.throwaway_name(self.run_id, self.worker)

    @property
    def replay_name(self) -> str:
        """The replay database's name once created; before that, the plain name (which
        no database has, so a look for it finds nothing)."""
        return self.replay_created or db.throwaway_name(self.run_id, self.worker, "replay")

    @property
    def rehearsal_name(self) -> str:
        """The copy of the live database the migration rehearsal works on, dated by name like
        the replay's: a run killed between its CREATE and COMMENT still leaves it sweepable."""
        if self.rehearsal_named is None:
            with db.database_errors(self.engine):
                self.rehearsal_named = db.dated_database_name(
                    self.engine, self.run_id, self.worker, "rehearsal"
                )
        return self.rehearsal_named

    @property
    def names(self) -> list[str]:
        """What this session may have made, for the cleanup item to look for (no query: a
        rehearsal that never ran has no name to look for)."""
        return [self.schema_name, self.replay_name, *filter(None, [self.rehearsal_named])]

    def require_databases(self) -> None:
        """Skip: not run where throwaway databases are off; n/a where the role may not create one."""
        self._require_allowed()
        with db.database_errors(self.engine):
            if not db.may_create_databases(self.engine):
                # Policy of the target, not a fault: the item does not apply (n/a, with why).
                pytest.skip(f"n/a: {msg('db.no_createdb_copy')}")

    def _require_allowed(self) -> None:
        if not self.allowed:
            pytest.skip(f"not run: {msg('db.throwaway_off')}")

    def schema(self) -> str:
        self._require_allowed()
        if not self.schema_created:
            with _not_permitted("CREATE SCHEMA"), db.database_errors(self.engine):
                db.create_schema(self.engine, self.schema_name, self.run_id)
            self.schema_created = True
        return self.schema_name

    @contextmanager
    def replay_database(self) -> Iterator[Engine]:
        self._require_allowed()
        with db.database_errors(self.engine):
            if not db.may_create_databases(self.engine):
                pytest.skip(f"not run: {msg('db.no_createdb_replay')}")
            name = db.dated_database_name(self.engine, self.run_id, self.worker, "replay")
            with _not_permitted("CREATE DATABASE"):
                db.create_database(self.engine, name, self.run_id)
            self.replay_created = name
        replay = db.make_engine(db.database_url_for(self.engine, name))
        try:
            yield replay
        finally:
            replay.dispose()
            # Mapped too: a restart at this moment is "could not look", not a traceback.
            with db.database_errors(self.engine):
                db.drop_database(self.engine, name)

    def close(self) -> None:
        """Drop both (idempotent); the cleanup test calls it, so does session teardown."""
        if self.schema_created:
            db.drop_schema(self.engine, self.schema_name)
            self.schema_created = False
        made = [name for name in (self.replay_created, self.rehearsal_named) if name]
        for name in db.existing(self.engine, made) if made else []:
            db.drop_database(self.engine, name.removeprefix("database "))


@contextmanager
def _not_permitted(what: str) -> Iterator[None]:
    try:
        yield
    except ProgrammingError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        pytest.skip(f"not run: {msg('db.refused_statement', what=what, error=first)}")


@pytest.fixture(scope="session")
def db_spec(target: Target) -> DatabaseSpec:
    return database_spec(target)


@pytest.fixture(scope="session")
def alembic_ini(target: Target) -> Path:
    if target.alembic_ini is None:
        pytest.skip(f"not run: {msg('db.no_alembic_ini', name=repr(target.name))}")
    return target.alembic_ini


@pytest.fixture(scope="session")
def throwaway(
    db_engine: Engine, db_spec: DatabaseSpec, run_id: str, worker_id_safe: str, request: pytest.FixtureRequest
) -> Iterator[Throwaway]:
    """On the writing engine where throwaway objects are allowed; else nothing is written
    and the read-only engine serves the cleanup item's look."""
    engine = request.getfixturevalue("db_writer") if db_spec.throwaway else db_engine
    handle = Throwaway(engine, run_id, worker_id_safe, allowed=db_spec.throwaway)
    yield handle
    try:
        handle.close()
    except Exception:  # noqa: BLE001  the controller's finish hook drops what is left
        pass


@pytest.fixture(scope="session")
def throwaway_schema(throwaway: Throwaway) -> str:
    return throwaway.schema()


@pytest.fixture
def replay_engine(throwaway: Throwaway) -> Iterator[Engine]:
    with throwaway.replay_database() as engine:
        yield engine


@pytest.fixture(scope="session")
def app_code(target: Target) -> AppCode:
    """The app's interpreter and folder ([app] python/dir); app code runs only there."""
    if target.app is None:
        pytest.skip(f"not run: {msg('db.no_alembic_ini_nor_dir', name=repr(target.name))}")
    return AppCode(target.app)


@pytest.fixture(scope="session")
def stack_database(pytestconfig: pytest.Config, target: Target) -> bool:
    """The target's database is the one the harness's own stack created and migrated from
    empty (local, containers), not a remote one or a URL overridden away from the stack's."""
    addresses = get_state(pytestconfig).addresses
    return addresses is not None and target.database_url == normalise_database_url(addresses.database_url)


@pytest.fixture(scope="session")
def migrated_snapshot(pytestconfig: pytest.Config, stack_database: bool) -> Iterator[Engine | None]:
    """The database the stack copied right after its migrations (local/containers), which
    schema-drift compares against instead of replaying; ``None`` elsewhere (remote targets,
    or a database URL overridden away from the stack's)."""
    addresses = get_state(pytestconfig).addresses
    if not stack_database or addresses is None or not addresses.migrated_snapshot_url:
        yield None
        return
    engine = db.make_engine(addresses.migrated_snapshot_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def app_models(
    db_engine: Engine, db_spec: DatabaseSpec, app_code: AppCode, target: Target, pytestconfig: pytest.Config
) -> Answer:
    """What autogenerate sees between the models and the live database, from a subprocess in
    the app's interpreter (once per session; ``db_engine`` first: an unreachable database is
    blocked before any app code runs)."""
    if not db_spec.models:
        pytest.skip(f"not run: {msg('suite.no_models')}")
    from harness.checks.models import compare_models
    from harness.plugin.prefetch import prefetched_models

    pending = prefetched_models(pytestconfig)
    if pending is not None:  # started with the test loop (harness.plugin.prefetch)
        answer: Answer = pending.result()
        return answer

    return compare_models(app_code, db_spec, target.alembic_ini, target.database_url or "")
