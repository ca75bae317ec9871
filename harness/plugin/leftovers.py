"""Session hooks for leftovers: the janitor at the start, the net at the finish.

* Session start (controller, when the target has a database_url): the controller takes its
  run's liveness lock (held until the run ends), then the janitor drops the tagged ``hv_``
  objects and rows of runs that are dead — their lock is free: killed with SIGKILL, on any
  machine — and, of runs that hold no such lock, those older than the TTL (``--janitor-ttl``
  or ``database.schema_ttl_s``, 6 h). A live concurrent run's objects are never touched.
* Session finish (controller): look once more for anything of this run (a worker that
  crashed) and drop it, recording it in results.json.

Both go through the writing engine; what they remove is listed with the run's writes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.config.database import database_spec
from harness.config.targets import Target
from harness.errors import ConfigError, HarnessError, TargetUnavailable, first_line
from harness.janitor import sweep
from harness.plugin.session import get_state
from harness.transport import db, writes
from harness.transport.liveness import RunLock

run_lock_key = pytest.StashKey[RunLock]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-harness")
    group.addoption(
        "--janitor-ttl", type=float, default=None, metavar="SECONDS",
        help="at session start drop tagged hv_ schemas and rows of dead runs, and of runs that hold no "
        "liveness lock once older than this (default: database.schema_ttl_s, 6 h)",
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
    state = get_state(session.config)
    engine = db.make_writer(target.database_url or "", connect_timeout_s=5)
    lock = session.config.stash[run_lock_key] = RunLock(target.database_url or "", state.run_id)
    try:
        db.ensure_reachable(engine)
        with db.database_errors(engine):
            lock.acquire()
        removed = sweep(engine, ttl_s, target, own_run=state.run_id)  # a restart mid-sweep: "skipped"
    except (TargetUnavailable, ConfigError) as exc:  # the tests meet it too and say so
        write(f"harness: janitor skipped: {exc.one_line()}")
        return
    finally:
        engine.dispose()
        writes.collect(state.extra, writes.drain(), "janitor at session start")
    for line in removed:
        write(f"harness: janitor removed {line}")
    if removed:
        write(f"harness: janitor removed {len(removed)} leftover(s) of dead runs or older than {ttl_s:g}s")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's life ends here: its liveness lock goes (after the finish hook's last drop)."""
    lock = config.stash.get(run_lock_key, None)
    if lock is not None:
        lock.release()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Before the stack goes down: drop anything of this run still there, and record it."""
    target = _controller_target(session.config)
    if target is None:
        return
    state = get_state(session.config)
    engine = db.make_writer(target.database_url or "", connect_timeout_s=5)
    try:
        with db.database_errors(engine):
            left = db.harness_objects(engine, prefix=f"{db.PREFIX}{state.run_id.lower()}_")
            for obj in left:
                drop = db.drop_schema if obj["kind"] == "schema" else db.drop_database
                drop(engine, obj["name"], "left by this run")
    except Exception as exc:  # noqa: BLE001  a safety net must never turn a finished run into an error
        reason = exc.one_line() if isinstance(exc, HarnessError) else first_line(exc)
        _writer(session.config)(f"harness: could not check for leftover hv_ schemas: {reason}")
        return
    finally:
        engine.dispose()
        writes.collect(state.extra, writes.drain(), "session finish")
    state.extra["throwaway_left_at_finish"] = [f"{o['kind']} {o['name']}" for o in left]
    if left:
        _writer(session.config)(f"harness: WARNING: dropped leftovers of this run: {state.extra['throwaway_left_at_finish']}")
