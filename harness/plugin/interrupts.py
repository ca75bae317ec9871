"""Ctrl-C and SIGTERM mid-run: the running test is interrupted, the cleanup and the report finish.

* A test that began is listed before its setup runs (``ResultsCollector.started``), so one
  stopped in a fixture (a throwaway schema being made, the wallet flow's first fingerprint)
  is reported interrupted under its items instead of leaving them "no test collected".
* After a stop signal, a phase that did not pass is interrupted, not failed or blocked: a
  library may swallow the KeyboardInterrupt and leave a cancelled query or a broken
  connection behind, and what fails next is the interruption, not the target.
* The run ends after the test that was running: nothing new starts once a signal came.
* Teardown (a test's, and the session's finish: the flow's rows, the stack, the report) runs
  with the signal held (``signals.holding``); an exception there would skip the rest of the
  cleanup and leave results.json as it was written at the start.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from harness.plugin import signals
from harness.plugin.session import state_key
from harness.report.results import PROP_BLOCKED, PROP_CHECKLIST, PROP_INTERRUPTED

INTERRUPTED_MESSAGE = "interrupted: the run was told to stop (signal {signum}) while this test ran"


def _controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, Any, Any]:
    ids = [str(arg) for marker in item.iter_markers("checklist") for arg in marker.args]
    state = item.config.stash.get(state_key, None)
    if state is not None and state.collector is not None:  # the controller, without xdist
        state.collector.started(item.nodeid, ids)
    try:
        return (yield)
    except KeyboardInterrupt:
        # The phase that was running never reports: say so (an xdist worker's report
        # travels to the controller like any other), then go on stopping.
        item.ihook.pytest_runtest_logreport(report=_interrupted_report(item, ids))
        raise


def _interrupted_report(item: pytest.Item, ids: list[str]) -> pytest.TestReport:
    message = INTERRUPTED_MESSAGE.format(signum=signals.received() or "SIGINT")
    return pytest.TestReport(
        nodeid=item.nodeid, location=item.location, keywords={}, when="call", outcome="skipped",
        longrepr=(str(item.path), item.location[1] or 0, message),
        user_properties=[(PROP_CHECKLIST, ids), (PROP_INTERRUPTED, message)],
    )  # fmt: skip


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    with signals.holding():
        return (yield)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)  # outermost: sees the report as others left it
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    signum = signals.received()
    if signum is not None:
        item.session.shouldstop = f"interrupted by signal {signum}"  # nothing new starts
    if signum is None or report.passed:
        return
    message = INTERRUPTED_MESSAGE.format(signum=signum)
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] or 0, message)
    report.user_properties[:] = [(k, v) for k, v in report.user_properties if k != PROP_BLOCKED]
    report.user_properties.append((PROP_INTERRUPTED, message))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Generator[None, Any, Any]:
    """Around every finish hook (fixtures' teardown, leftovers, stack, report): the signal is
    held; one that still got through (a second Ctrl-C) does not stop the report."""
    with signals.holding():
        try:
            return (yield)
        except KeyboardInterrupt:
            if not _controller(session.config):
                raise
            from harness.plugin import finish_session

            finish_session(session, int(pytest.ExitCode.INTERRUPTED))  # if not done yet
            return None
