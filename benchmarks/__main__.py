"""``python -m benchmarks [--runs 5] [--only NAME ...] [--json FILE]``: run the benchmarks,
print one table, write the full figures (every sample) as JSON.

Names: full-run, peer, bigapp, xdist, routes, staging-routes, staging-run, head, drift, rehearsal. Sizes can be shrunk for a quick look (the
smoke test uses ``--routes 10 --revisions 10 --tables 5 --no-warmup``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._measure import WARMUP, format_table
from benchmarks.report import phase_rows, table_rows

REPO = Path(__file__).resolve().parents[1]
NAMES = ("full-run", "peer", "bigapp", "xdist", "routes", "staging-routes", "staging-run", "head", "drift", "rehearsal")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs per figure (default 5)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the unmeasured warm-up round (figures then include cold "
                        "caches; for a quick look, not for a comparison)")  # fmt: skip
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME",
                        help=f"run only these: {', '.join(NAMES)}")  # fmt: skip
    parser.add_argument("--json", type=Path, help="where to write the figures "
                        "(default reports/benchmarks-<UTC timestamp>.json)")  # fmt: skip
    parser.add_argument("--routes", type=_sizes, default=(100, 1000, 5000), help="route counts")
    parser.add_argument("--staging-routes", type=_sizes, default=(1000, 5000),
                        help="route counts swept behind 50 ms RTT")  # fmt: skip
    parser.add_argument(
        "--workers",
        type=_sizes,
        default=(1, 2),
        help="uvicorn workers compared at the middle route count",
    )
    parser.add_argument("--revisions", type=_sizes, default=(10, 100, 1000), help="revision counts")
    parser.add_argument("--tables", type=_sizes, default=(10, 60, 200, 1000),
                        help="table counts for schema drift (the goal is judged at the largest)")  # fmt: skip
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the reference app for the rehearsal")
    return parser


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected numbers separated by commas, e.g. 100,1000"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be at least 1")
    return sizes


def _benchmarks(args: argparse.Namespace) -> dict[str, Callable[[], dict[str, Any]]]:
    from benchmarks.bench_alembic import bench_drift, bench_head
    from benchmarks.bench_bigapp import bench_bigapp
    from benchmarks.bench_local_run import bench_full_run, bench_xdist
    from benchmarks.bench_peer import bench_peer
    from benchmarks.bench_rehearsal import bench_rehearsal
    from benchmarks.bench_routes import bench_routes
    from benchmarks.bench_staging import bench_staging_routes
    from benchmarks.bench_staging_run import bench_staging_run

    return {
        "full-run": lambda: bench_full_run(args.runs),
        "peer": lambda: bench_peer(args.runs),
        "bigapp": lambda: bench_bigapp(args.runs),
        "xdist": lambda: bench_xdist(args.runs),
        "routes": lambda: bench_routes(args.runs, args.routes, args.workers),
        "staging-routes": lambda: bench_staging_routes(args.runs, args.staging_routes),
        "staging-run": lambda: bench_staging_run(args.runs),
        "head": lambda: bench_head(args.runs, args.revisions),
        "drift": lambda: bench_drift(args.runs, args.tables),
        "rehearsal": lambda: bench_rehearsal(args.runs, args.rows),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.runs < 1:
        print("python -m benchmarks: --runs must be at least 1", file=sys.stderr)
        return 4
    WARMUP["enabled"] = not args.no_warmup
    started = datetime.now(UTC)
    results: dict[str, Any] = {}
    for name, run in _benchmarks(args).items():
        if args.only and name not in args.only:
            continue
        print(f"benchmarks: {name} ({args.runs} runs) ...", file=sys.stderr, flush=True)
        results[name] = run()
    document = {"started_at": started.isoformat(), "runs": args.runs,
                "warmup": not args.no_warmup, "machine": _machine(),
                "loadavg_at_end": os.getloadavg(), "benchmarks": results}  # fmt: skip
    path = args.json or REPO / "reports" / f"benchmarks-{started:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(format_table(table_rows(results)))
    phases = phase_rows(results)
    if phases:
        print("\nphases of the full runs (median s; *_rss_mb in MB):")
        print(format_table(phases))
    print(f"\nfigures: {path}")
    return 0


def _machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(terse=True),
            "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
