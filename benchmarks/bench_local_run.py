"""1. A full cold ``pytest --target=local`` against its floor; 2. ``-n 2`` against ``-n 0``."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, Stats, alternate, ratio, run_process

REPO = Path(__file__).resolve().parents[1]


def harness_run(*extra: str) -> Sample:
    """One cold run of the main job; phases read back from its results.json."""
    with tempfile.TemporaryDirectory(prefix="hv-bench-") as reports:
        argv = [sys.executable, "-m", "pytest", "--target=local", "-q", "-p", "no:randomly",
                f"--report-dir={reports}", *extra]  # fmt: skip
        sample, code, output = run_process(argv, cwd=str(REPO))
        if code not in (0, 1):
            raise RuntimeError(f"harness run failed (exit {code}):\n{output[-2000:]}")
        results = json.loads(next(Path(reports).glob("*/results.json")).read_text())
    timings = results["environment"].get("stack_timings_s", {})
    sample.extra.update({k: float(v) for k, v in timings.items()})
    sample.extra["suites"] = sum(t["duration_s"] for t in results["tests"])
    return sample


def floor_run() -> Sample:
    sample, code, output = run_process([sys.executable, str(REPO / "benchmarks" / "floor.py")])
    if code != 0:
        raise RuntimeError(f"floor run failed (exit {code}):\n{output[-2000:]}")
    sample.extra.update(json.loads(output.strip().splitlines()[-1]))
    return sample


PHASES = ("postgres_start", "migrations", "app_start", "suites", "checks", "teardown")


def bench_full_run(runs: int) -> dict[str, Any]:
    stats = alternate(runs, {"harness": harness_run, "floor": floor_run})
    return _pair_result("full local run (cold)", stats["harness"], stats["floor"], target=1.5)


def bench_xdist(runs: int) -> dict[str, Any]:
    stats = alternate(runs, {"-n 2": lambda: harness_run("-n", "2"), "-n 0": lambda: harness_run("-n", "0")})
    result = _pair_result("parallelism", stats["-n 0"], stats["-n 2"], target=1.3)
    result["note"] = "ratio = (-n 0) / (-n 2): how many times faster two workers are"
    return result


def _pair_result(title: str, a: Stats, b: Stats, *, target: float) -> dict[str, Any]:
    phases = {
        name: {p: s.extra_median(p) for p in PHASES if s.extra_median(p) is not None}
        for name, s in ((a.name, a), (b.name, b))
    }
    return {
        "benchmark": title,
        "a": a.to_dict(),
        "b": b.to_dict(),
        "ratio": round(ratio(a, b), 3),
        "target_ratio": target,
        "phases_median_s": phases,
    }
