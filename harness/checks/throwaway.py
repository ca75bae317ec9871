"""cleanup (database part): no throwaway schema or replay database of this run is left."""

from __future__ import annotations

from sqlalchemy import Engine

from harness.messages.core import msg
from harness.result import CheckResult
from harness.transport.db import database_errors, existing

ITEM = "cleanup"


def check_no_throwaway_left(engine: Engine, names: list[str]) -> CheckResult:
    with database_errors(engine):
        left = existing(engine, names)
    if not left:
        return CheckResult.passed(ITEM, msg("throwaway.pass"), looked_for=names)
    return CheckResult.failed(
        ITEM, msg("throwaway.left", names=", ".join(left)), remediation=msg("throwaway.remedy"),
        expected={"left": []}, left=left, looked_for=names,
    )  # fmt: skip
