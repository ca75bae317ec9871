"""The writing engine and the report's list of what the harness wrote.

``db_engine`` (harness.plugin.fixtures) is read-only at the server. What has to write asks
for ``db_writer``: the throwaway schemas and databases, a flow's cleanup, db-reconnect's
cut. While a process has it, it holds its run's liveness lock (harness.transport.liveness),
so a sweeper of another run tells this run's objects from a dead run's.

Each write is recorded where it happens (harness.transport.writes); after every test phase
this process's records travel in the test report (through xdist too) and the controller
lists them, with the test that made them, in ``environment.writes`` of results.json.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from harness.config.targets import Target
from harness.messages.core import msg
from harness.transport import db, writes
from harness.transport.liveness import RunLock


@pytest.fixture(scope="session")
def db_writer(target: Target, run_id: str) -> Iterator[Engine]:
    """The one engine that may write to the target's database (see the module's docstring)."""
    if not target.database_url:
        pytest.skip(f"not run: {msg('suite.no_database_url', name=repr(target.name))}")
    engine = db.make_writer(target.database_url)
    lock = RunLock(target.database_url, run_id)
    try:
        db.ensure_reachable(engine)
        with db.database_errors(engine):
            lock.acquire()  # before the first write: no object of this run exists unlocked
        yield engine
    finally:
        lock.release()
        engine.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    made = writes.drain()
    if made:
        outcome.get_result().user_properties.append((writes.PROP_WRITES, made))
