"""Secrets known in every process that writes a file (DESIGN §8; issue 14).

Under xdist the workers authenticate (a token from a login exists only there), but the
controller writes results.json, the checklist files, junit.xml and scrubs the Allure folder.
So: the controller registers what the profile alone reveals at configure; each worker scrubs
its reports (evidence included) before they leave it, and hands its registered secrets up
through ``workeroutput`` when it finishes, before the controller writes anything.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from harness.plugin.session import state_key
from harness.secrets import known_secrets, known_tokens, redact_value, register_secret
from harness.transport.auth import register_configured_secrets

_OUTPUT_KEY = "harness_secrets"


@pytest.hookimpl(trylast=True)  # after the main plugin resolved the target
def pytest_configure(config: pytest.Config) -> None:
    state = config.stash.get(state_key, None)
    if state is not None and state.target is not None:
        register_configured_secrets(state.target)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)  # outermost: after all properties are added
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    report.user_properties = [(key, redact_value(value)) for key, value in report.user_properties]


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_OUTPUT_KEY] = known_secrets()
        workeroutput[_OUTPUT_KEY + "_tokens"] = known_tokens()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", {})
    for value in output.get(_OUTPUT_KEY, []):
        register_secret(value)
    for value in output.get(_OUTPUT_KEY + "_tokens", []):
        register_secret(value, pieces=True)
