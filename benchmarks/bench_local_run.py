"""1. A full cold ``pytest --target=local`` against its floor; 2. ``-n 2`` against ``-n 0``.

Each harness run is a fresh pytest process with ``-p benchmarks._phaseclock``, which clocks
its phases; the stack's own phases (PostgreSQL start, migrations, app start) come from the
run's results.json. The floor (benchmarks/floor.py) reports the same stack phases.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, Stats, alternate, ratio, run_process

REPO = Path(__file__).resolve().parents[1]
STACK_PHASES = ("postgres_start", "migrations", "app_start")
# Phase name -> (from mark, to mark) of benchmarks._phaseclock.
_SPANS = {
    "janitor_and_hooks": ("stack_ready", "sessionstart_done"),
    "collection": ("sessionstart_done", "runtestloop"),
    "suites": ("runtestloop", "runtestloop_done"),
    "cleanup_net": ("sessionfinish", "teardown"),
    "teardown": ("teardown", "teardown_done"),
    "report": ("teardown_done", "sessionfinish_done"),
}
PHASES = ("startup", *STACK_PHASES, *_SPANS, "checks", "exit")


def harness_run(*extra: str, ok_codes: tuple[int, ...] = (0,), target: str = "local") -> Sample:
    """One cold run of the main job, with its phases (``ok_codes``: the exit codes expected)."""
    with tempfile.TemporaryDirectory(prefix="hv-bench-") as tmp:
        clock = Path(tmp) / "phases.json"
        argv = [sys.executable, "-m", "pytest", f"--target={target}", "-q", "-p", "no:randomly",
                "-p", "benchmarks._phaseclock", f"--report-dir={tmp}/reports", *extra]  # fmt: skip
        began = time.time()
        sample, code, output = run_process(argv, cwd=str(REPO), env=_env(clock))
        if code not in ok_codes:
            raise RuntimeError(f"harness run failed (exit {code}):\n{output[-2000:]}")
        results = json.loads(next(Path(tmp).glob("reports/*/results.json")).read_text())
        clocked = json.loads(clock.read_text())
    sample.extra.update(_phases(began, sample.seconds, clocked["marks"], results))
    sample.extra["pytest_self_rss_mb"] = clocked["peak_rss_mb"]
    sample.extra["largest_child_rss_mb"] = clocked["max_child_rss_mb"]
    sample.extra["exit_code"] = float(code)
    sample.extra["tests_not_passed"] = float(
        sum(t["outcome"] != "passed" for t in results["tests"])
    )
    sample.extra.update(
        {f"test:{t['nodeid'].rsplit('::', 1)[-1]}": t["duration_s"] for t in results["tests"]}
    )
    return sample


def _env(clock: Path) -> dict[str, str]:
    import os

    return {**os.environ, "HV_PHASECLOCK": str(clock), "PYTHONPATH": str(REPO)}


def _phases(
    began: float, wall: float, marks: dict[str, float], results: dict[str, Any]
) -> dict[str, float]:
    stack = {k: float(v) for k, v in results["environment"].get("stack_timings_s", {}).items()}
    phases = {"startup": marks["sessionstart"] - began, **stack}
    phases.update(
        {name: marks[b] - marks[a] for name, (a, b) in _SPANS.items() if a in marks and b in marks}
    )
    phases["exit"] = began + wall - marks["sessionfinish_done"]
    phases["tests_duration_sum"] = sum(t["duration_s"] for t in results["tests"])
    return phases


def floor_run() -> Sample:
    sample, code, output = run_process([sys.executable, str(REPO / "benchmarks" / "floor.py")])
    if code != 0:
        raise RuntimeError(f"floor run failed (exit {code}):\n{output[-2000:]}")
    phases = json.loads(output.strip().splitlines()[-1])
    sample.extra.update(phases)
    sample.extra["startup"] = sample.seconds - sum(phases.values())  # interpreter, imports, exit
    return sample


def bench_full_run(runs: int) -> dict[str, Any]:
    stats = alternate(runs, {"harness": harness_run, "floor": floor_run})
    return _pair_result("full local run, cold (harness / floor)", stats["harness"], stats["floor"],
                        target="harness <= 1.5x the floor", met=lambda r: r <= 1.5)  # fmt: skip


def bench_xdist(runs: int) -> dict[str, Any]:
    stats = alternate(
        runs, {"-n 2": lambda: harness_run("-n", "2"), "-n 0": lambda: harness_run("-n", "0")}
    )
    return _pair_result("parallelism ((-n 0) / (-n 2): how many times faster two workers are)",
                        stats["-n 0"], stats["-n 2"], target="-n 2 at least 1.3x faster",
                        met=lambda r: r >= 1.3)  # fmt: skip


def _pair_result(title: str, a: Stats, b: Stats, *, target: str, met: Any) -> dict[str, Any]:
    keys = (*PHASES, "tests_duration_sum", "pytest_self_rss_mb", "largest_child_rss_mb")
    phases = {
        s.name: {p: round(v, 3) for p in keys if (v := s.extra_median(p)) is not None}
        for s in (a, b)
    }
    value = ratio(a, b)
    return {
        "benchmark": title, "a": a.to_dict(), "b": b.to_dict(), "ratio": round(value, 3),
        "target": target, "met": met(value), "phases_median_s": phases,
    }  # fmt: skip
