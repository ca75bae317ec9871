"""Writing the run's report folder ``reports/<UTC timestamp>-<target>/``.

``results.json`` (every test) → ``checklist.json`` (items, the source of truth) →
``checklist.md`` and ``checklist.html``; pytest's own JUnit XML lands beside them as
``junit.xml``. The exit code of the run is decided here, from the item statuses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import CONFIG, EXIT_BLOCKED, StackError, cause_of
from harness.messages.core import seen
from harness.plugin.paths import option_or_ini, project_dir
from harness.plugin.session import environment_facts
from harness.report.build import build_checklist_report
from harness.report.checklist import checklist_key, decide_exit
from harness.report.files import write_folder
from harness.report.i18n import not_run_note, summary_text
from harness.report.results import SCHEMA_VERSION, iso, make_report_dir, utc_now, write_json
from harness.report.waivers import DEFAULT_WAIVERS_FILE, apply_waivers, check_items, load_waivers

if TYPE_CHECKING:
    from harness.plugin.session import HarnessState

payload_key = pytest.StashKey[dict[str, Any]]()
JUNIT_NAME = "junit.xml"


def build_results(state: HarnessState, exit_status: int, root: Path) -> dict[str, Any]:
    finished = utc_now()
    records = state.collector.records.values() if state.collector else []
    counts = state.collector.counts() if state.collector else {}
    met = state.collector.config_errors() if state.collector else []
    reason = state.config_error or state.unavailable
    target = state.target.describe() if state.target else {"name": state.target_name}
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": state.run_id,
        "target": target,
        "started_at": iso(state.started),
        "finished_at": iso(finished),
        "duration_s": round((finished - state.started).total_seconds(), 3),
        "exit_status": exit_status,
        "status": run_status(exit_status),
        "blocked_reason": str(reason.one_line()) if reason else (met[0] if met else None),
        "blocked_cause": cause_of(reason) if reason else (CONFIG if met else None),
        "environment": {
            **environment_facts(root),
            "stack_timings_s": state.addresses.timings_s if state.addresses else {},
            **state.extra,
        },
        "counts": counts,
        "tests": [record.to_dict() for record in records],
        "messages": seen(),  # made outside any test (a blocked start): see harness.messages.core
    }


# What in a failed start's log means the app's code or settings are wrong: no retry helps.
_PERMANENT_START = re.compile(r"ModuleNotFoundError|ImportError|SyntaxError|Error loading ASGI app")


def needs_a_person(unavailable: Exception | None) -> bool:
    """A local stack that failed because the app cannot import is exit 4, not 75."""
    return isinstance(unavailable, StackError) and bool(_PERMANENT_START.search(unavailable.log_tail))


def run_status(exit_status: int) -> str:
    return {0: "passed", 1: "failed", 2: "interrupted", 4: "blocked", EXIT_BLOCKED: "blocked"}.get(
        exit_status, "error"
    )


def reports_root(config: pytest.Config) -> Path:
    return option_or_ini(config, "report_dir", "harness_report_dir", "reports")


def waivers_path(config: pytest.Config) -> Path:
    return option_or_ini(config, "waivers", "harness_waivers", DEFAULT_WAIVERS_FILE)


def validate_report_options(config: pytest.Config, state: HarnessState) -> None:
    """At configure: a bad report_tz or waivers.toml is a usage error (exit 4) before any test."""
    from harness.report.present import check_zone

    where = "--report-tz" if config.getoption("report_tz", None) else f"targets.{state.target_name}.report_tz"
    check_zone(report_tz(config, state), where)
    path = waivers_path(config)
    checklist = config.stash.get(checklist_key, None)
    waivers = load_waivers(path)
    if checklist is not None:
        check_items(waivers, checklist.ids, state.target_name, path)


def report_tz(config: pytest.Config, state: HarnessState) -> str | None:
    """``--report-tz``, else the profile's top-level ``report_tz``; None = the machine's zone."""
    value = config.getoption("report_tz", None)
    if not value and state.target is not None:
        value = state.target.raw.get("report_tz")
    return str(value) if value else None


def prepare_report_dir(config: pytest.Config, state: HarnessState) -> None:
    """Controller, at configure: make the folder now so pytest's JUnit XML can go into it."""
    state.report_dir = make_report_dir(reports_root(config), state.target_name, state.started)
    if not config.option.xmlpath:
        config.option.xmlpath = str(state.report_dir / JUNIT_NAME)


def finish_run(
    config: pytest.Config, state: HarnessState, pytest_exit: int, *, write: bool,
    collection_errors: int = 0, not_collected: list[dict[str, str]] | None = None,
) -> int:
    """Roll the results up into items, decide the exit code, write the folder; → exit code.
    ``not_collected``: the files that did not import (``{"path", "reason"}``)."""
    from harness.plugin.checklist import not_applicable_key

    results = build_results(state, pytest_exit, project_dir(config))
    results["collection_errors"] = list(not_collected or [])
    na: dict[str, str] = config.stash.get(not_applicable_key, {})
    results["not_applicable"] = dict(na)
    checklist = config.stash.get(checklist_key, None)
    exit_status = pytest_exit
    payload = None
    if checklist is not None:
        payload = build_checklist_report(
            results, checklist, lang=config.getoption("report_lang", "en") or "en"
        )
        payload["report_tz"] = report_tz(config, state)
        # Before the exit code: an item whose every failing finding is waived does not gate.
        # (Not when configuration failed: nothing ran, and the waivers file may be what failed.)
        if state.config_error is None:
            apply_waivers(payload, load_waivers(waivers_path(config)), utc_now().date())
        exit_status = decide_exit(
            pytest_exit,
            payload["items"],
            other_failures=collection_errors > 0 or bool(not_collected)
            or any(t["outcome"] in ("failed", "error") for t in payload["unmarked_tests"]),
            target_unavailable=state.unavailable is not None,
            config_error=bool(state.collector and state.collector.config_errors())
            or needs_a_person(state.unavailable),
        )
        payload["exit_status"] = exit_status
        config.stash[payload_key] = payload
    results["exit_status"], results["status"] = exit_status, run_status(exit_status)
    if write:
        folder = state.report_dir or make_report_dir(reports_root(config), state.target_name, state.started)
        write_folder(folder, results, payload)
        state.report_dir = folder
    return exit_status


def write_started(config: pytest.Config, state: HarnessState) -> None:
    """results.json at start, saying "interrupted": replaced atomically at the end, so a run
    killed outright (SIGKILL) leaves a folder that says what happened. Only results.json:
    rendering the checklist now would only slow the start."""
    assert state.report_dir is not None
    interrupted = int(pytest.ExitCode.INTERRUPTED)
    results = build_results(state, interrupted, project_dir(config))
    results["status"] = run_status(interrupted)
    write_json(state.report_dir / "results.json", results)


def write_run_report(config: pytest.Config, state: HarnessState, exit_status: int) -> Path:
    """The early path: configuration failed before any test, so the run is blocked."""
    finish_run(config, state, exit_status, write=True)
    assert state.report_dir is not None
    return state.report_dir


def summary_line(config: pytest.Config, state: HarnessState) -> str:
    payload = config.stash.get(payload_key, None)
    if payload is not None:
        lang = config.getoption("report_lang", "en") or "en"
        note = not_run_note(payload, lang)
        return summary_text(payload, lang) + (f" — {note}" if note else "")
    counts = state.collector.counts() if state.collector else {}
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("passed", "failed", "error", "blocked", "skipped"))
    return f"harness {state.target_name}: {parts}"


def blocked_reasons(state: HarnessState) -> list[str]:
    """Each distinct reason tests were blocked, once (a dead target blocks every test)."""
    if state.unavailable is not None:
        return []  # already printed when provisioning failed
    records = state.collector.records.values() if state.collector else []
    reasons = [r.message or "" for r in records if r.outcome == "blocked"]
    return list(dict.fromkeys(reason.removeprefix("blocked: ") for reason in reasons))
