"""The app's own traceback beside a failing check, for an app the harness serves itself.

Each test notes how long the app's log is when it starts (in whichever process runs it); a
test that went wrong gets the tracebacks the log gained meanwhile, reduced to exception line
and last frame (``harness.stack.applog``) and masked, as ``app_errors`` in results.json. The
report shows them under the item, so the 500 a route answered comes with its cause.

Under xdist another test may run at the same time, so an error is "logged while this test
ran", which the report's label says; only tests that went wrong carry any.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.plugin.session import get_state
from harness.report.results import PROP_APP_ERRORS
from harness.stack.applog import app_errors, log_size, read_since

_offset_key = pytest.StashKey[int]()
# A failure that names a 5xx: the app's traceback may land in the log a moment after its
# answer (uvicorn logs it once the response is sent), so wait for it briefly.
_SERVER_ERROR = re.compile(r"HTTP 5\d\d|app-5xx|\b5\d\d (?:Internal|Server)")
_LAG_S = 2.0


def _app_log(config: pytest.Config) -> Path | None:
    addresses = get_state(config).addresses
    return Path(addresses.app_log) if addresses is not None and addresses.app_log else None


def pytest_runtest_setup(item: pytest.Item) -> None:
    log = _app_log(item.config)
    if log is not None:
        item.stash[_offset_key] = log_size(log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    log = _app_log(item.config)
    if log is None or _offset_key not in item.stash or not _went_wrong(call):
        return
    errors = _errors_since(log, item.stash[_offset_key], wait=bool(_SERVER_ERROR.search(_text(call))))
    if errors:
        report.user_properties.append((PROP_APP_ERRORS, errors))


def _went_wrong(call: pytest.CallInfo[None]) -> bool:
    return call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception)


def _text(call: pytest.CallInfo[None]) -> str:
    return str(call.excinfo.value) if call.excinfo is not None else ""


def _errors_since(log: Path, offset: int, *, wait: bool) -> list[dict[str, str]]:
    deadline = time.monotonic() + (_LAG_S if wait else 0.0)
    while True:
        errors = app_errors(read_since(log, offset))
        if errors or time.monotonic() >= deadline:
            return errors
        time.sleep(0.1)
