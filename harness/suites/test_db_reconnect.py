"""db-reconnect (optional): the app's pool survives its database sessions being cut.

Runs where the harness owns the database (local, containers) or a remote profile allows
writes (allow_writes = true): terminating sessions on a shared staging database would cut
other users' requests too, so otherwise it is not run, with that reason.
"""

import pytest

from harness.checks.reconnect import check_db_reconnect, safe_paths
from harness.checks.routelist import load_expected, routes_spec


@pytest.mark.checklist("db-reconnect")
def test_app_recovers_from_cut_database_connections(target, request, check):
    if not (target.provisions_stack or target.writes_allowed):
        pytest.skip(
            "n/a: terminating the app's database sessions needs a stack the harness runs, or "
            "allow_writes = true on a remote target (this one is read-only)"
        )
    # Only now: a read-only target is not even connected to. Cutting sessions is a write.
    db_writer, http, auth_headers = (
        request.getfixturevalue(name) for name in ("db_writer", "http", "auth_headers")
    )
    spec = routes_spec(target)
    routes = (
        [str(route) for route in load_expected(spec.expected_file)] if spec.expected_file else []
    )
    paths = safe_paths(routes, spec.path_params) or [target.health.path]
    check(check_db_reconnect(db_writer, http, paths, auth_headers))
