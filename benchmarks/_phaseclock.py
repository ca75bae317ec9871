"""A pytest plugin (``-p benchmarks._phaseclock``) that clocks a harness run's phases.

Writes ``{"marks": {name: unix time}, "peak_rss_mb": ..., "max_child_rss_mb": ...}`` to the
file named by ``HV_PHASECLOCK`` when pytest unconfigures. The parent turns marks into
phases (start-up, stack, janitor, collection, suites, cleanup net, teardown, report).

To separate the stack's teardown from the report it tears the stack down itself, timed,
between the database plugin's leftover sweep (tryfirst) and the harness plugin's
sessionfinish (trylast) — the same call in the same order, which the harness then finds
already done (``HarnessState.teardown`` is idempotent).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from harness.plugin.session import get_state

MARKS: dict[str, float] = {"plugin_imported": time.time()}


def _mark(name: str) -> None:
    MARKS[name] = time.time()


def pytest_configure(config: pytest.Config) -> None:
    _mark("configure")
    config.pluginmanager.register(_Teardown(), "hv-phaseclock-teardown")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> Generator[None, None, None]:
    _mark("sessionstart")
    yield
    _mark("sessionstart_done")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, None, None]:
    _mark("runtestloop")
    yield
    _mark("runtestloop_done")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    _mark("sessionfinish")
    yield
    _mark("sessionfinish_done")


def pytest_harness_stack_ready(config: pytest.Config) -> None:
    _mark("stack_ready")


def _teardown(session: pytest.Session) -> None:
    _mark("teardown")
    if not hasattr(session.config, "workerinput"):
        get_state(session.config).teardown()
    _mark("teardown_done")


class _Teardown:
    """Registered as its own plugin so its plain (untagged) sessionfinish runs between the
    tryfirst and trylast implementations."""

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        _teardown(session)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    _mark("unconfigure")
    path = os.environ.get("HV_PHASECLOCK")
    if not path or hasattr(config, "workerinput"):
        return
    payload = {
        "marks": MARKS,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "max_child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    Path(path).write_text(json.dumps(payload))
