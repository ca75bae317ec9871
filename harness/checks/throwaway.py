"""cleanup (database part): no throwaway schema or replay database of this run is left."""

from __future__ import annotations

from sqlalchemy import Engine

from harness.result import CheckResult
from harness.transport.db import database_errors, existing

ITEM = "cleanup"


def check_no_throwaway_left(engine: Engine, names: list[str]) -> CheckResult:
    with database_errors(engine):
        left = existing(engine, names)
    if not left:
        return CheckResult.passed(ITEM, "no throwaway schema or database of this run is left", looked_for=names)
    return CheckResult.failed(
        ITEM, f"left behind after the run: {', '.join(left)}",
        remediation="look for a failed teardown in the log; python -m harness janitor --target NAME removes them once past the TTL",
        expected={"left": []}, left=left, looked_for=names,
    )  # fmt: skip
