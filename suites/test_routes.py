"""routes / routes-reachable: the served route list equals the expected list, and every
expected route answers from the app through the public base URL (no proxy 404)."""

import pytest

from harness.checks.reachability import check_routes_reachable, probe_context
from harness.checks.routes import SNAPSHOT_HINT, check_routes
from harness.routelist import load_expected, routes_spec


@pytest.fixture(scope="session")
def routes_config(target):
    return routes_spec(target)


@pytest.fixture(scope="session")
def expected_routes(routes_config):
    if routes_config.expected_file is None:
        pytest.skip(
            f"not run: no expected route list; write one with {SNAPSHOT_HINT} "
            "and set [targets.NAME.routes] expected"
        )
    return load_expected(routes_config.expected_file)


@pytest.mark.checklist("routes")
def test_served_routes_match_expected(http, routes_config, expected_routes, auth_headers, check):
    if routes_config.openapi_path is None:
        pytest.skip(
            "not run: the target serves no OpenAPI document; routes-reachable probes the expected list"
        )
    check(check_routes(http, routes_config, expected_routes, auth_headers))


@pytest.mark.checklist("routes-reachable")
def test_expected_routes_reachable(
    http, target, routes_config, expected_routes, auth_headers, check
):
    check(
        check_routes_reachable(probe_context(target, auth_headers), routes_config, expected_routes)
    )
