"""parity: this environment equals its counterpart (``[targets.NAME.parity] counterpart``):
Alembic revision, PostgreSQL and extension versions, the full catalog, the route list, the
health body's version. Both sides are only read. n/a without a counterpart."""

import pytest

from harness.checks.parity import check_parity
from harness.checks.reconnect import NotRun
from harness.report.results import utc_now


@pytest.mark.checklist("parity")
def test_matches_its_counterpart(target, parity_counterpart, check):
    counterpart, accepted = parity_counterpart
    outcome = check_parity(target, counterpart, accepted, utc_now().date())
    if isinstance(outcome, NotRun):
        pytest.skip(f"not run: {outcome.reason}")
    check(outcome)
