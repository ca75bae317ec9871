"""Secrets out of pytest's own test reports, before anything prints or stores them.

pytest's traceback shows a failing test's arguments and captured output, and JUnit XML and
Allure copy both. ``scrub_report`` redacts them in place, keeping the traceback's structure
(so the crash line, colours and xdist transport stay as they were).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.secrets import redact


def scrub_report(report: pytest.TestReport) -> None:
    report.sections = [(title, redact(content)) for title, content in report.sections]
    longrepr = report.longrepr
    if longrepr is None:
        return
    if isinstance(longrepr, tuple):  # a skip: (path, line, message)
        report.longrepr = _scrubbed(longrepr, 0)
        return
    text = report.longreprtext
    if redact(text) != text:
        report.longrepr = _scrubbed(longrepr, 0)


def _scrubbed(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return redact(value)
    if depth > 12:
        return value
    if isinstance(value, list):
        return [_scrubbed(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrubbed(v, depth + 1) for v in value)
    if hasattr(value, "__dict__") and type(value).__module__.startswith("_pytest"):
        for name, attr in vars(value).items():
            object.__setattr__(value, name, _scrubbed(attr, depth + 1))  # some are frozen
    return value
