"""One measurement in a fresh process: ``python -m benchmarks._child KIND JSON-ARGS``.

A fresh process per sample so nothing is cached between samples (Alembic's script map,
FastAPI's OpenAPI document on the client side, connection pools) and so the peak RSS
read from ``getrusage(RUSAGE_SELF)`` belongs to that one check. Prints one JSON line:
``{"seconds": <the check's own wall time>, "cpu_s": ..., "peak_rss_mb": ..., "passed": ...}``
plus figures of its own; imports are outside the timed part (the pytest process has them
loaded already).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def routes(args: dict[str, Any]) -> dict[str, Any]:
    from harness.checks.reachability import ProbeContext, check_routes_reachable
    from harness.checks.routelist import RoutesSpec, load_expected
    from harness.checks.routes import check_routes
    from harness.transport.http import HttpClient

    spec = RoutesSpec(concurrency=args.get("concurrency", 8), timeout_s=30.0,
                      ignore=("/docs*", "/redoc*", "/openapi.json"))  # fmt: skip
    expected = load_expected(Path(args["expected"]))
    ctx = ProbeContext(args["base_url"], "/api/health", writes_allowed=False)
    marks = {}
    with HttpClient(args["base_url"], timeout_s=30.0) as client:
        mark = time.perf_counter()
        listed = check_routes(client, spec, expected)
        marks["routes_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    reachable = check_routes_reachable(ctx, spec, expected)
    marks["reachable_s"] = time.perf_counter() - mark
    _require(listed.ok and reachable.ok, listed.summary, reachable.summary)
    return {**marks, "probed": reachable.evidence["probed"]}


def reachable(args: dict[str, Any]) -> dict[str, Any]:
    """routes-reachable alone (the staging sweep). ``client = "httpx"`` probes through an
    httpx client at the old default concurrency of 8: the sweep as it was, for a before/after."""
    import httpx

    from harness.checks.reachability import ProbeContext, check_routes_reachable
    from harness.checks.routelist import RoutesSpec, load_expected

    spec = RoutesSpec(timeout_s=30.0)
    transport = None
    if args.get("client") == "httpx":
        spec = RoutesSpec(concurrency=8, timeout_s=30.0)
        transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=8))
    ctx = ProbeContext(args["base_url"], "/api/health", writes_allowed=False, transport=transport)
    result = check_routes_reachable(ctx, spec, load_expected(Path(args["expected"])))
    _require(result.ok, result.summary)
    return {"probed": result.evidence["probed"], "concurrency": spec.concurrency}


def head(args: dict[str, Any]) -> dict[str, Any]:
    from harness.checks.migrations import check_migration_head
    from harness.config.database import DatabaseSpec
    from harness.transport.db import make_engine

    engine = make_engine(args["database_url"])
    try:
        result = check_migration_head(engine, Path(args["ini"]), DatabaseSpec())
    finally:
        engine.dispose()
    _require(result.ok, result.summary)
    return {}


def drift(args: dict[str, Any]) -> dict[str, Any]:
    from harness.checks.schema import check_schema_drift
    from harness.config.app import AppSpec
    from harness.config.database import DatabaseSpec
    from harness.stack.appcode import AppCode
    from harness.transport.db import make_engine

    live, replay = make_engine(args["live_url"]), make_engine(args["replay_url"])
    app = AppCode(AppSpec(dir=Path(args["ini"]).parent))  # the generated scripts' folder
    try:
        result = check_schema_drift(live, replay, Path(args["ini"]), DatabaseSpec(), app)
    finally:
        live.dispose()
        replay.dispose()
    _require(result.ok, result.summary)
    return {"tables": result.evidence["compared"]["tables"]}


def drift_snapshot(args: dict[str, Any]) -> dict[str, Any]:
    """schema-drift as a provisioned stack runs it: against the copy taken after migrating."""
    from harness.checks.schema import check_schema_drift_from_snapshot
    from harness.config.database import DatabaseSpec
    from harness.transport.db import make_engine

    live, snapshot = make_engine(args["live_url"]), make_engine(args["snapshot_url"])
    try:
        result = check_schema_drift_from_snapshot(live, snapshot, DatabaseSpec())
    finally:
        live.dispose()
        snapshot.dispose()
    _require(result is not None and result.ok, getattr(result, "summary", "no verdict"))
    return {}


def rehearsal(args: dict[str, Any]) -> dict[str, Any]:
    from harness.checks.rehearsal import rehearse
    from harness.config.app import AppSpec
    from harness.config.database import DatabaseSpec
    from harness.config.rehearsal import RehearsalSpec
    from harness.stack.appcode import AppCode
    from harness.transport.db import make_engine, make_writer

    live, writer = make_engine(args["live_url"]), make_writer(args["live_url"])
    try:
        app = AppCode(AppSpec(dir=Path(args["ini"]).parent))
        result = rehearse(live, Path(args["ini"]), DatabaseSpec(), RehearsalSpec(), "hv_bench_rehearsal",
                          "rbench", app, writer=writer)  # fmt: skip
    finally:
        live.dispose()
        writer.dispose()
    _require(result.ok and bool(result.evidence["pending"]), result.summary)
    return {"copy_s": result.evidence["copy_s"], "copy_bytes": result.evidence["copy_size_bytes"]}


def _require(ok: bool, *summaries: str) -> None:
    """A benchmark of a failing check measures the wrong thing: stop with its message."""
    if not ok:
        raise SystemExit("check failed: " + " | ".join(summaries))


KINDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "routes": routes, "reachable": reachable, "head": head, "drift": drift, "drift_snapshot": drift_snapshot, "rehearsal": rehearsal,
}  # fmt: skip


def main() -> None:
    kind, args = sys.argv[1], json.loads(sys.argv[2])
    _warm_imports(kind)
    wall, cpu = time.perf_counter(), time.process_time()
    extra = KINDS[kind](args)
    result = {
        "seconds": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }
    print(json.dumps(result))


def _warm_imports(kind: str) -> None:
    """What a pytest run has imported before the check starts."""
    import harness.checks.migrations
    import harness.checks.reachability
    import harness.checks.routes
    import harness.checks.schema
    import harness.transport.db
    import harness.transport.http  # noqa: F401


if __name__ == "__main__":
    main()
