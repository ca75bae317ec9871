"""Fixtures the suites use. Suites stay thin: they ask for these and call harness.checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from harness.config.targets import Target
from harness.messages.core import msg
from harness.plugin.session import HarnessState, get_state
from harness.report.results import PROP_CHECK
from harness.result import CheckResult
from harness.transport.auth import auth_headers as obtain_auth_headers
from harness.transport.db import ensure_reachable, make_engine
from harness.transport.http import HttpClient
from harness.transport.tls import tls_spec
from harness.transport.wait import Throttled


@pytest.fixture(scope="session")
def harness_state(pytestconfig: pytest.Config) -> HarnessState:
    return get_state(pytestconfig)


@pytest.fixture(scope="session")
def run_id(harness_state: HarnessState) -> str:
    return harness_state.run_id


@pytest.fixture(scope="session")
def worker_id_safe(pytestconfig: pytest.Config) -> str:
    """``gw0``, ``gw1`` … under xdist, ``main`` otherwise; safe in an SQL identifier.

    Read from this session's own ``workerinput``, not ``PYTEST_XDIST_WORKER``: a harness run
    started from inside an xdist worker (the harness's own tests) inherits that variable."""
    workerinput = getattr(pytestconfig, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "main"


@pytest.fixture(scope="session")
def target(harness_state: HarnessState) -> Target:
    """The resolved target with live addresses. Raises (→ blocked) when it is unusable."""
    return harness_state.require_target()


@pytest.fixture(scope="session")
def http(
    target: Target, harness_state: HarnessState, pytestconfig: pytest.Config
) -> Iterator[HttpClient]:
    """An HTTP client for the target, after the cold-start wait.

    The controller waits once at session start (``HarnessState.wait_for_http``); a failed
    wait makes every HTTP test blocked with the same reason, without waiting again.
    """
    if not target.base_url and harness_state.addresses is not None:
        pytest.skip(f"not run: {msg('suite.app_not_started')}")
    if not target.base_url:
        pytest.skip(f"not run: {msg('suite.no_base_url', name=repr(target.name))}")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    harness_state.wait_for_http(Throttled(reporter.write_line if reporter else print, 5.0))
    if harness_state.http_unavailable is not None:
        raise harness_state.http_unavailable
    verify = tls_spec(target).httpx_verify()
    with HttpClient(
        target.base_url, timeout_s=target.timeout_s, retries=target.retries, verify=verify,
        answered_before=harness_state.http_ready,
    ) as client:  # fmt: skip
        yield client


@pytest.fixture(scope="session")
def auth_headers(target: Target, http: HttpClient) -> dict[str, str]:
    """Headers that authenticate as ``[targets.NAME.auth]`` says; ``{}`` without it.
    The token is registered as a secret: it never reaches output or reports. A login the
    target rejects (401/403) is a ConfigError (exit 4), one answering 500 a TargetFault
    (exit 1); the plugin shows either as one line."""
    return obtain_auth_headers(target, http)


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Callable[[CheckResult], CheckResult]:
    """Record a check's result as evidence for the report, then fail the test if it failed."""

    def record(result: CheckResult) -> CheckResult:
        request.node.user_properties.append((PROP_CHECK, result.to_dict()))
        return result.raise_for_failure()

    return record


@pytest.fixture(scope="session")
def db_engine(target: Target) -> Iterator[Engine]:
    """A SQLAlchemy engine on the target's database.

    No ``database_url`` in the profile → the test is skipped ("not run", with the reason);
    an unreachable database or a wrong password → ``DatabaseUnreachable`` (blocked).
    """
    if not target.database_url:
        pytest.skip(f"not run: {msg('suite.no_database_url', name=repr(target.name))}")
    engine = make_engine(target.database_url)
    try:
        ensure_reachable(engine)
        yield engine
    finally:
        engine.dispose()
