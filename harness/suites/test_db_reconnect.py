"""db-reconnect (optional): the app's pool survives its database sessions being cut.

Runs where the harness owns the database (local, containers) or a remote profile allows
writes (allow_writes = true): terminating sessions on a shared staging database would cut
other users' requests too, so otherwise it does not apply. It runs last (before cleanup)
and re-warms the app's pool afterwards, so no later item meets a dead connection.
"""

import pytest

from harness.checks.reconnect import NotRun, check_db_reconnect, reconnect_plan
from harness.checks.routelist import load_expected, routes_spec
from harness.messages.core import msg


@pytest.mark.checklist("db-reconnect")
def test_app_recovers_from_cut_database_connections(target, request, check):
    if not (target.provisions_stack or target.writes_allowed):
        pytest.skip(f"n/a: {msg('reconnect.na_read_only')}")
    # Only now: a read-only target is not even connected to. Cutting sessions is a write.
    db_writer, http, auth_headers = (
        request.getfixturevalue(name) for name in ("db_writer", "http", "auth_headers")
    )
    spec = routes_spec(target)
    routes = load_expected(spec.expected_file) if spec.expected_file else []
    plan = reconnect_plan(routes, spec, target.health.path)
    app_dir = target.app.dir if target.app is not None else None
    outcome = check_db_reconnect(db_writer, http, plan, auth_headers, app_dir)
    if isinstance(outcome, NotRun):
        pytest.skip(f"not run: {outcome.reason}")
    check(outcome)
