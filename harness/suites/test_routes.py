"""routes / routes-reachable: the served route list equals the expected list, and every
expected route answers from the app through the public base URL (no proxy 404)."""

import pytest

from harness.checks.reachability import check_routes_reachable, probe_context
from harness.checks.routelist import load_expected, routes_spec
from harness.checks.routes import SNAPSHOT_HINT, check_app_routes, check_routes
from harness.errors import ConfigError
from harness.messages.core import msg
from harness.stack.appcode import AppCode


@pytest.fixture(scope="session")
def routes_config(target):
    try:
        return routes_spec(target)
    except ConfigError as exc:
        pytest.fail(exc.one_line(), pytrace=False)


@pytest.fixture(scope="session")
def expected_routes(routes_config):
    if routes_config.expected_file is None:
        pytest.skip(f"not run: {msg('suite.no_route_list', command=SNAPSHOT_HINT)}")
    try:
        return load_expected(routes_config.expected_file)
    except ConfigError as exc:
        pytest.fail(exc.one_line(), pytrace=False)


# Configuration fixtures come first: a bad profile is reported before the target is contacted.
@pytest.mark.checklist("routes")
def test_served_routes_match_expected(routes_config, expected_routes, target, http, request, check):
    if routes_config.openapi_path is None:
        if target.app is None:
            pytest.skip(f"not run: {msg('suite.no_openapi_no_app')}")
        # No OpenAPI document: ask the app's own code for its route table (README "Flask backends").
        # A stack the harness started: its database may be handed to an app that connects at import.
        own = target.database_url if target.provisions_stack else None
        check(check_app_routes(AppCode(target.app), routes_config, expected_routes, own))
        return
    # Logs in only if the OpenAPI document asks for it: a failing login is not a routes failure.
    login = lambda: request.getfixturevalue("auth_headers")  # noqa: E731
    check(check_routes(http, routes_config, expected_routes, login))
    if routes_config.app_cross_check and target.app is not None:
        check(check_app_routes(AppCode(target.app), routes_config, expected_routes))


@pytest.mark.checklist("routes-reachable")
def test_expected_routes_reachable(routes_config, expected_routes, target, http, auth_headers, check):
    context = probe_context(target, auth_headers)
    check(check_routes_reachable(context, routes_config, expected_routes))
