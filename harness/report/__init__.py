"""Writing the run's report folder: ``results.json`` now; checklist renderers build on it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.results import SCHEMA_VERSION, iso, make_report_dir, utc_now, write_json
from harness.session import environment_facts

if TYPE_CHECKING:
    import pytest

    from harness.session import HarnessState


def build_results(state: HarnessState, exit_status: int, root: Path) -> dict[str, Any]:
    finished = utc_now()
    records = state.collector.records.values() if state.collector else []
    counts = state.collector.counts() if state.collector else {}
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
        "blocked_reason": reason.one_line() if reason else None,
        "environment": {
            **environment_facts(root),
            "stack_timings_s": state.addresses.timings_s if state.addresses else {},
            **state.extra,
        },
        "counts": counts,
        "tests": [record.to_dict() for record in records],
    }


def run_status(exit_status: int) -> str:
    return {0: "passed", 1: "failed", 2: "interrupted", 4: "blocked", 75: "blocked"}.get(
        exit_status, "error"
    )


def write_run_report(config: pytest.Config, state: HarnessState, exit_status: int) -> Path:
    root = Path(config.rootpath)
    value = config.getoption("report_dir", None) or config.getini("harness_report_dir")
    reports = Path(value) if Path(value).is_absolute() else root / value
    folder = make_report_dir(reports, state.target_name, state.started)
    write_json(folder / "results.json", build_results(state, exit_status, root))
    return folder


def summary_line(state: HarnessState) -> str:
    counts = state.collector.counts() if state.collector else {}
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("passed", "failed", "error", "blocked", "skipped"))
    where = f" — report: {state.report_dir}" if state.report_dir else ""
    return f"harness {state.target_name}: {parts}{where}"


def blocked_reasons(state: HarnessState) -> list[str]:
    """Each distinct reason tests were blocked, once (a dead target blocks every test)."""
    if state.unavailable is not None:
        return []  # already printed when provisioning failed
    records = state.collector.records.values() if state.collector else []
    reasons = [r.message or "" for r in records if r.outcome == "blocked"]
    return list(dict.fromkeys(reason.removeprefix("blocked: ") for reason in reasons))
