"""At the end of the run, before the stack goes down: does the login's account still work?

routes-reachable records a witness route (``harness.checks.witness``) when the profile
authenticates. Here the controller logs in again and asks it: an account that a flow,
a probe or anything else deleted or disabled during the run fails routes-reachable, as one
more test of that item in the report ("the login's account no longer authenticates").
Under xdist the witness comes from whichever worker ran routes-reachable, through the
results every worker already reports to the controller.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from harness.checks.witness import ITEM, Witness, recheck_at_end
from harness.plugin.session import state_key
from harness.report.results import TestRecord
from harness.result import CheckResult

NODEID = "harness: end of run: the login's account"


def recorded_witness(records: Iterable[TestRecord]) -> Witness | None:
    for record in records:
        for check in record.checks:
            if check.get("item") == ITEM and check.get("evidence", {}).get("auth_witness"):
                return Witness.from_evidence(check["evidence"]["auth_witness"])
    return None


@pytest.hookimpl(tryfirst=True)  # before the main plugin's (trylast) tears the stack down
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        return
    state = config.stash.get(state_key, None)
    if (
        state is None
        or state.collector is None
        or state.target is None
        or state.unavailable is not None
    ):
        return
    witness = recorded_witness(list(state.collector.records.values()))
    if witness is None or not state.target.base_url:
        return
    result = recheck_at_end(state.target, witness)
    if result is None:
        return
    state.collector.records[NODEID] = _record(result)
    if not result.ok:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        (reporter.write_line if reporter else print)(f"harness: FAILED [{ITEM}] {result.summary}")


def _record(result: CheckResult) -> TestRecord:
    """A test record of its own, so the item shows it like any other test."""
    return TestRecord(
        NODEID, [ITEM], "passed" if result.ok else "failed", 0.0,
        None if result.ok else f"[{ITEM}] {result.summary}", [result.to_dict()], {"setup", "call", "teardown"},
    )  # fmt: skip
