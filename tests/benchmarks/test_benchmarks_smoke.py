"""The benchmarks still run: each one once, at tiny sizes, without the warm-up round. No timing is asserted — the
figures only have to be there and well-formed (benchmarks/ is measured, not tested)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_benchmarks(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--runs", "1", "--no-warmup", "--json", str(out), *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "benchmark" in proc.stdout and str(out) in proc.stdout
    return json.loads(out.read_text())["benchmarks"]


def test_scale_benchmarks_run_at_tiny_sizes(tmp_path: Path) -> None:
    figures = run_benchmarks(
        tmp_path, "--only", "routes", "head", "drift",
        "--routes", "10", "--workers", "1", "--revisions", "10", "--tables", "5",
    )  # fmt: skip
    [routes] = figures["routes"]["rows"]
    assert routes["routes"] == 13 and routes["runs"] == 1  # 3 resources of 4 routes + health
    assert routes["server_cpu_s"] is not None and routes["peak_rss_mb"] > 0
    [head] = figures["head"]["rows"]
    assert head["revisions"] == 10 and head["cli"]["runs"] == 1 and head["speedup"] > 0
    [drift] = figures["drift"]["rows"]
    assert drift["tables"] == 5 and drift["runs"] == 1


@pytest.mark.stack
def test_full_run_and_xdist_benchmarks_run(tmp_path: Path) -> None:
    figures = run_benchmarks(tmp_path, "--only", "full-run", "xdist")
    phases = figures["full-run"]["phases_median_s"]
    for phase in ("postgres_start", "migrations", "app_start", "suites", "teardown", "report"):
        assert phase in phases["harness"], phase
    assert {"postgres_start", "migrations", "app_start", "checks"} <= set(phases["floor"])
    assert set(figures["xdist"]["phases_median_s"]) == {"-n 0", "-n 2"}
    assert figures["full-run"]["ratio"] > 0


def test_bad_sizes_are_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--routes", "ten"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "expected numbers separated by commas" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rehearsal_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    figures = run_benchmarks(tmp_path, "--only", "rehearsal", "--rows", "20")
    template, dump = figures["rehearsal"]["rows"]
    assert template["rows"] == 20 and template["runs"] == 1 and template["copy_s"] > 0
    assert "template" in template["name"] and "pg_dump" in dump["name"]
