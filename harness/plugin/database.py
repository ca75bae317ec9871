"""Database fixtures and session hooks: throwaway schemas, the janitor, the cleanup net.

* Each session (each xdist worker) works in its own schema ``hv_<run id>_<worker>`` and,
  for schema-drift, a database ``hv_<run id>_<worker>_<epoch>_replay``; both are created on first
  use, tagged for the janitor, and dropped when the session ends.
* Session start (controller, when the target has a database_url): the janitor drops tagged
  ``hv_`` objects older than the TTL (``--janitor-ttl`` or ``database.schema_ttl_s``, 6 h) —
  what a run killed with SIGKILL left behind.
* The cleanup test is moved to the end of the run, so it can drop this session's objects
  and prove they are gone. At session finish the controller looks once more for anything of
  this run (a worker that crashed) and drops it, recording it in results.json.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import ProgrammingError

from harness.checks.models import Models
from harness.config.database import DatabaseSpec, database_spec
from harness.config.targets import Target
from harness.config.urls import normalise_database_url
from harness.errors import ConfigError, HarnessError, TargetUnavailable, first_line
from harness.janitor import sweep
from harness.plugin.session import get_state
from harness.stack.appcode import AppCode
from harness.transport import db

CLEANUP_ITEM = "cleanup"
RECONNECT_ITEM = "db-reconnect"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-harness")
    group.addoption(
        "--janitor-ttl", type=float, default=None, metavar="SECONDS",
        help="at session start drop tagged hv_ schemas older than this (default: database.schema_ttl_s, 6 h)",
    )  # fmt: skip


def _controller_target(config: pytest.Config) -> Target | None:
    if hasattr(config, "workerinput") or config.getoption("collectonly"):
        return None
    state = get_state(config)
    if state.unavailable is not None or state.target is None or not state.target.database_url:
        return None
    return state.target


def _writer(config: pytest.Config) -> Callable[[str], None]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return reporter.write_line if reporter else print


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """After the stack is up (the main plugin's sessionstart is tryfirst): run the janitor."""
    target = _controller_target(session.config)
    if target is None:
        return
    ttl_s = session.config.getoption("janitor_ttl")
    ttl_s = database_spec(target).schema_ttl_s if ttl_s is None else ttl_s
    write = _writer(session.config)
    engine = db.make_engine(target.database_url or "", connect_timeout_s=5)
    try:
        db.ensure_reachable(engine)
        removed = sweep(engine, ttl_s, target)  # a restart mid-sweep: "skipped", no traceback
    except (TargetUnavailable, ConfigError) as exc:  # the tests meet it too and say so
        write(f"harness: janitor skipped: {exc.one_line()}")
        return
    finally:
        engine.dispose()
    for line in removed:
        write(f"harness: janitor removed {line}")
    if removed:
        write(f"harness: janitor removed {len(removed)} leftover(s) older than {ttl_s:g}s")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """db-reconnect, then cleanup, last (stable otherwise): db-reconnect cuts the app's
    database sessions, which no other item should meet; cleanup judges what the others left."""
    def rank(item: pytest.Item) -> int:
        marker = item.get_closest_marker("checklist")
        ids = marker.args if marker else ()
        return 2 if CLEANUP_ITEM in ids else 1 if RECONNECT_ITEM in ids else 0

    items.sort(key=rank)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Before the stack goes down: drop anything of this run still there, and record it."""
    target = _controller_target(session.config)
    if target is None:
        return
    state = get_state(session.config)
    engine = db.make_engine(target.database_url or "", connect_timeout_s=5)
    try:
        with db.database_errors(engine):
            left = db.harness_objects(engine, prefix=f"{db.PREFIX}{state.run_id.lower()}_")
            for obj in left:
                drop = db.drop_schema if obj["kind"] == "schema" else db.drop_database
                drop(engine, obj["name"])
    except Exception as exc:  # a safety net must never turn a finished run into an error
        reason = exc.one_line() if isinstance(exc, HarnessError) else first_line(exc)
        _writer(session.config)(f"harness: could not check for leftover hv_ schemas: {reason}")
        return
    finally:
        engine.dispose()
    state.extra["throwaway_left_at_finish"] = [f"{o['kind']} {o['name']}" for o in left]
    if left:
        _writer(session.config)(f"harness: WARNING: dropped leftovers of this run: {state.extra['throwaway_left_at_finish']}")


# ---------------------------------------------------------------- fixtures


@dataclass
class Throwaway:
    """This session's throwaway schema and replay database, created on first use."""

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
                pytest.skip("n/a: the database role may not CREATE DATABASE, which a throwaway "
                            "copy needs (grant CREATEDB, or run against a copy)")  # fmt: skip

    def _require_allowed(self) -> None:
        if not self.allowed:
            pytest.skip("not run: throwaway schemas are off for this target "
                        "(production = true, or database.throwaway = false)")  # fmt: skip

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
                pytest.skip("not run: the database role may not CREATE DATABASE, which the "
                            "migration replay needs (grant CREATEDB, or run against a copy)")  # fmt: skip
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
        pytest.skip(f"not run: the database refused {what}: {first}")


@pytest.fixture(scope="session")
def db_spec(target: Target) -> DatabaseSpec:
    return database_spec(target)


@pytest.fixture(scope="session")
def alembic_ini(target: Target) -> Path:
    if target.alembic_ini is None:
        pytest.skip(f"not run: target {target.name!r} has no alembic_ini")
    return target.alembic_ini


@pytest.fixture(scope="session")
def throwaway(
    db_engine: Engine, db_spec: DatabaseSpec, run_id: str, worker_id_safe: str
) -> Iterator[Throwaway]:
    handle = Throwaway(db_engine, run_id, worker_id_safe, allowed=db_spec.throwaway)
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
        pytest.skip(f"not run: target {target.name!r} has no alembic_ini and no [app] dir")
    return AppCode(target.app)


@pytest.fixture(scope="session")
def migrated_snapshot(pytestconfig: pytest.Config, target: Target) -> Iterator[Engine | None]:
    """The database the stack copied right after its migrations (local/containers), which
    schema-drift compares against instead of replaying; ``None`` elsewhere (remote targets,
    or a database URL overridden away from the stack's)."""
    addresses = get_state(pytestconfig).addresses
    stack_url = normalise_database_url(addresses.database_url) if addresses else None
    if not addresses or not addresses.migrated_snapshot_url or target.database_url != stack_url:
        yield None
        return
    engine = db.make_engine(addresses.migrated_snapshot_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def app_models(db_spec: DatabaseSpec, app_code: AppCode) -> Models:
    """The models' description, from a subprocess in the app's interpreter (once per session)."""
    if not db_spec.models:
        pytest.skip('not run: the profile names no models (database.models = "module:Base.metadata")')
    from harness.checks.models import load_models

    return load_models(app_code, db_spec)
