"""A check that went wrong while the database restarted is blocked, not failed.

Each test (in whichever process runs it) marks the database server's start time before it
runs; when its setup, call or teardown fails, the start time is read again (``RestartWatch``). Moved,
or no answer → the test is reported blocked with that reason, like any ``TargetUnavailable``, and
its cause is ``db_restarting`` (also for a ``DatabaseUnreachable`` the restart caused).
This covers every check at once: the database checks' own queries and the HTTP checks and
wallet flow, whose 500s during a restart are the app's pool reconnecting, not the product.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from harness.errors import DB_RESTARTING, DatabaseUnreachable, TargetUnavailable
from harness.plugin.session import get_state
from harness.report.results import PROP_BLOCKED, PROP_CAUSE
from harness.transport.restart import RestartWatch

_watch_key = pytest.StashKey["RestartWatch | None"]()


def _watch(config: pytest.Config) -> RestartWatch | None:
    if _watch_key not in config.stash:
        target = get_state(config).target
        url = target.database_url if target is not None else None
        known_up = target is not None and target.provisions_stack
        config.stash[_watch_key] = RestartWatch.for_url(url, known_up=known_up) if url else None
    return config.stash[_watch_key]


def pytest_runtest_setup(item: pytest.Item) -> None:
    watch = _watch(item.config)
    if watch is not None:
        watch.mark()


@pytest.hookimpl(hookwrapper=True, trylast=True)  # inner: the main hook then sees the result
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or call.excinfo is None or call.excinfo.errisinstance(KeyboardInterrupt):
        return
    if call.excinfo.errisinstance(TargetUnavailable) and not call.excinfo.errisinstance(DatabaseUnreachable):
        return  # the HTTP side or the stack: no database reading to add
    watch = _watch(item.config)
    reason = watch.explain() if watch is not None else None
    if reason is None:
        return
    error = call.excinfo.value
    if isinstance(error, DatabaseUnreachable):
        # Blocked anyway (the main hook reports it): its cause is the restart, not a
        # database that is away, so the label says so.
        error.cause = DB_RESTARTING
        return
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] or 0, f"blocked: {reason}")
    report.user_properties.append((PROP_BLOCKED, reason))
    report.user_properties.append((PROP_CAUSE, DB_RESTARTING))


def pytest_unconfigure(config: pytest.Config) -> None:
    watch = config.stash.get(_watch_key, None)
    if watch is not None:
        watch.close()
