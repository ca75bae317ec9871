"""Session glue for the deploy wait (harness.transport.deploy): once, on the controller,
after the cold-start wait and before anything is judged; a timeout makes the whole run
blocked with "staging still serves X, expected Y" (xdist workers inherit it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from harness.config.deploy import deploy_spec
from harness.errors import TargetUnavailable, cause_of
from harness.plugin.session import HarnessState
from harness.transport.wait import Throttled


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-harness")
    group.addoption("--deploy-expect", default=None, metavar="REVISION",
                    help="wait until the target serves this revision ([deploy] expect); '' = do not wait")  # fmt: skip


def wait_for_deploy(config: pytest.Config, state: HarnessState, write: Callable[[str], None]) -> None:
    """Blocks the run (``state.unavailable``) when the expected revision never serves."""
    target = state.target
    if target is None or state.unavailable is not None or not target.base_url:
        return
    spec = deploy_spec(target)
    override = config.getoption("deploy_expect")
    if spec is None or (override if override is not None else spec.expect) == "":
        return
    if override is not None:
        spec = replace(spec, expect=override.strip())
    if state.http_unavailable is not None:  # which revision serves cannot be known: judge nothing
        state.unavailable = TargetUnavailable(
            f"the deployed revision could not be read: {state.http_unavailable.one_line()}",
            cause=cause_of(state.http_unavailable),
        )
        return
    from harness.transport.deploy import DeployWait
    from harness.transport.tls import tls_spec

    waiter = DeployWait(f"{target.base_url}{spec.version_path}", spec, verify=tls_spec(target).httpx_verify())
    try:
        state.extra["deploy"] = seen = waiter.wait(Throttled(write, every_s=15.0))
    except TargetUnavailable as exc:
        state.unavailable = exc
        state.extra["deploy"] = {"expected": spec.expect, "url": waiter.url, "outcome": exc.one_line()}
        write(f"harness: BLOCKED: {exc.one_line()}")
        return
    write(f"harness: the target serves {seen['served']} (expected {spec.expect}) after {seen['waited_s']:g}s")
