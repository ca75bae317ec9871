"""Collecting test outcomes into ``results.json`` — the stable input of every report.

The collector listens to ``pytest_runtest_logreport`` on the controller, which under
pytest-xdist receives the workers' reports too, so one file covers the whole run.

Schema (version 1), kept stable for the report renderers::

    {"schema_version": 1, "run_id", "target": {...masked...}, "started_at", "finished_at",
     "duration_s", "exit_status", "blocked_reason", "blocked_cause", "environment": {...},
     "counts": {"passed", "failed", "error", "blocked", "skipped"},
     "collection_errors": [{"path", "reason"}],   # files that did not import (not collected)
     "tests": [{"nodeid", "checklist": [ids], "outcome", "duration_s", "message",
                "checks": [CheckResult.to_dict()...],
                "cause",          # blocked only: harness.errors.CAUSES (what the label says)
                "app_errors": [{"error", "frame"}],  # the app's tracebacks while it ran
                "messages": {english text: {"id", "params"}}}],   # harness.messages.core
     "messages": {...}}   # the Messages made outside any test (a blocked start)

``outcome`` is one of passed, failed, error (the harness or a fixture broke), blocked
(the target could not be reached), na (not applicable: skipped with a reason starting
``n/a:``, e.g. writes not allowed), skipped (not run, e.g. no database_url) and interrupted
(the test began but did not finish: Ctrl-C or SIGTERM; never passed).

The plugin writes a first results.json when the run starts, with status "interrupted", and
replaces it atomically at the end: a run killed outright (SIGKILL) leaves that one behind.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from harness.messages.core import Message
from harness.secrets import redact

SCHEMA_VERSION = 1
_INTERRUPTED = Message("results.interrupted")
OUTCOMES = ("passed", "failed", "error", "blocked", "na", "skipped", "interrupted")
# A skip whose reason starts so marks its test (and so its item) not applicable.
NA_PREFIX = "n/a: "
# Keys the plugin puts into report.user_properties (they survive the xdist wire).
PROP_CHECKLIST = "harness_checklist"
PROP_CHECK = "harness_check"
PROP_BLOCKED = "harness_blocked"
# A ConfigError met inside a test (a wrong database password): a person must act, exit 4.
PROP_CONFIG = "harness_config_error"
# The Messages made during a test (English text → id and parameters), for the Japanese report.
PROP_MESSAGES = "harness_messages"
# Why a blocked test was blocked (harness.errors.CAUSES).
PROP_CAUSE = "harness_blocked_cause"
# The app's own tracebacks (from its log) logged while a test that went wrong ran.
PROP_APP_ERRORS = "harness_app_errors"
# The run was told to stop (Ctrl-C, SIGTERM) before this phase ended: whatever went wrong in
# it afterwards (a cancelled query, a dying app) is the interruption, not a verdict.
PROP_INTERRUPTED = "harness_interrupted"


@dataclass
class TestRecord:
    nodeid: str
    checklist: list[str] = field(default_factory=list)
    outcome: str = "passed"
    duration_s: float = 0.0
    message: str | None = None
    checks: list[dict[str, Any]] = field(default_factory=list)
    phases: set[str] = field(default_factory=set)
    config_error: str | None = None
    messages: dict[str, Any] = field(default_factory=dict)
    cause: str | None = None
    app_errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """The outcome, except that a test which began but whose call or teardown never
        reported (stopped mid-test) is interrupted, never passed."""
        if self.outcome == "passed" and not {"call", "teardown"} <= self.phases:
            return "interrupted"
        return self.outcome

    def absorb(self, report: pytest.TestReport) -> None:
        """Fold one phase (setup/call/teardown) into the test's overall record."""
        self.duration_s += report.duration
        self.phases.add(report.when or "")
        props = dict_props(report)
        self.checklist = props.get(PROP_CHECKLIST, self.checklist)
        self.checks = props.get(PROP_CHECK, self.checks)
        self.config_error = props.get(PROP_CONFIG, self.config_error)
        self.messages.update(props.get(PROP_MESSAGES) or {})
        self.cause = props.get(PROP_CAUSE, self.cause)
        self.app_errors = props.get(PROP_APP_ERRORS, self.app_errors)
        phase_outcome = _phase_outcome(report, props)
        if _rank(phase_outcome) > _rank(self.outcome):
            self.outcome = phase_outcome
            self.message = _message(report)

    def to_dict(self) -> dict[str, Any]:
        entry = {
            "nodeid": self.nodeid,
            "checklist": self.checklist,
            "outcome": self.verdict,
            "duration_s": round(self.duration_s, 3),
            "message": self.message if self.verdict == self.outcome else f"interrupted: {_INTERRUPTED}",
            "checks": self.checks,
            "messages": self.messages,
        }
        if self.verdict == "blocked":
            entry["cause"] = self.cause
        if self.app_errors:
            entry["app_errors"] = self.app_errors
        return entry


def dict_props(report: pytest.TestReport) -> dict[str, Any]:
    """``user_properties`` as a dict; repeated check entries are gathered into a list."""
    props: dict[str, Any] = {}
    for key, value in report.user_properties:
        if key == PROP_CHECK:
            props.setdefault(PROP_CHECK, []).append(value)
        else:
            props[key] = value
    return props


def _phase_outcome(report: pytest.TestReport, props: dict[str, Any]) -> str:
    if props.get(PROP_INTERRUPTED):
        return "interrupted"
    if props.get(PROP_BLOCKED):
        return "blocked"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        return "na" if str(reason).removeprefix("Skipped: ").startswith(NA_PREFIX) else "skipped"
    return "passed"


# The worst phase decides: an error in teardown spoils a passing call.
# Interrupted outranks them all: after a stop signal a failure is not the target's verdict.
_SEVERITY = {"passed": 0, "na": 1, "skipped": 1, "blocked": 2, "failed": 3, "error": 4, "interrupted": 5}


def _rank(outcome: str) -> int:
    return _SEVERITY[outcome]


def _message(report: pytest.TestReport) -> str | None:
    if report.passed:
        return None
    if report.skipped and isinstance(report.longrepr, tuple):
        text = str(report.longrepr[2])
    else:
        text = report.longreprtext
    return redact(_crash_line(report, text))[:4000]


def _crash_line(report: pytest.TestReport, text: str) -> str:
    """For failures keep the assertion message, not the whole traceback."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if report.failed and crash is not None and getattr(crash, "message", None):
        return str(crash.message)
    return text.removeprefix("Skipped: ")


class ResultsCollector:
    """A pytest plugin object: gathers TestRecords in collection order."""

    def __init__(self) -> None:
        self.records: dict[str, TestRecord] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.setdefault(report.nodeid, TestRecord(report.nodeid))
        record.absorb(report)

    def started(self, nodeid: str, checklist: list[str]) -> None:
        """A test began (before its setup): stopped before any phase reported, it is still
        listed, as interrupted, under its items."""
        self.records.setdefault(nodeid, TestRecord(nodeid, checklist=checklist))

    def config_errors(self) -> list[str]:
        """Each distinct ConfigError tests met, once (one wrong password fails many)."""
        return list(dict.fromkeys(r.config_error for r in self.records.values() if r.config_error))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for record in self.records.values():
            counts[record.verdict] += 1
        return counts


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_report_dir(root: Path, target_name: str, started: datetime) -> Path:
    """``reports/<UTC timestamp>-<target>/``; a suffix keeps two runs in one second apart."""
    stem = f"{started:%Y%m%dT%H%M%SZ}-{_safe(target_name)}"
    for suffix in ["", *(f"-{n}" for n in range(2, 100))]:
        path = root / f"{stem}{suffix}"
        try:
            path.mkdir(parents=True)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"too many report folders named {stem} in {root}")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "target"


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Redacted, then written atomically so a crash never leaves half a file."""
    text = redact(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
