"""4. Staging over a real network distance: the route sweep behind 50 ms of round-trip time.

A target far away costs a round trip per request; the sweep hides it by keeping many
requests in flight on a shared keep-alive pool. The server is ``benchmarks._wan app``, which
answers in ≈30 µs, so the figure is the harness's and the network's, not a framework's
(its CPU is read from /proc and reported). Harness CPU per probed route comes from the same
samples. ``before`` is the sweep as it was: an httpx client, 8 probes at a time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, Stats, alternate
from benchmarks._procs import WanProcess, child
from benchmarks.generate import route_app

RTT_MS = 50.0
TARGET_1000_S = 3.0
TARGET_CPU_MS = 0.5


def bench_staging_routes(runs: int, sizes: tuple[int, ...] = (1000, 5000)) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hv-bench-staging-") as tmp:
        app = WanProcess("app")
        proxy = WanProcess("proxy", upstream=app.address, rtt_ms=RTT_MS)
        try:
            variants: dict[str, Callable[[], Sample]] = {}
            for size in sizes:
                folder = Path(tmp) / f"n{size}"
                folder.mkdir()
                route_app(folder, size)
                expected = folder / "expected.json"
                variants[f"{size} routes"] = _sampler(app, proxy, expected, "pool")
                if size == min(sizes):
                    variants[f"{size} routes, before (httpx, 8 at a time)"] = _sampler(
                        app, proxy, expected, "httpx"
                    )
            stats = alternate(runs, variants)
        finally:
            proxy.stop()
            app.stop()
    return _result(stats)


def _sampler(
    app: WanProcess, proxy: WanProcess, expected: Path, client: str
) -> Callable[[], Sample]:
    def sample() -> Sample:
        before = app.cpu_s()
        args = {"base_url": proxy.base_url, "expected": str(expected), "client": client}
        result = child("reachable", args)
        result.extra["server_cpu_s"] = app.cpu_s() - before
        return result

    return sample


def _result(stats: dict[str, Stats]) -> dict[str, Any]:
    rows = []
    for s in stats.values():
        probed = s.extra_median("probed") or 1
        rows.append({
            **s.to_dict(),
            "routes": int(probed),
            "concurrency": int(s.extra_median("concurrency") or 0),
            "client_cpu_ms_per_route": round(1000 * (s.extra_median("cpu_s") or 0) / probed, 3),
            "server_cpu_ms_per_route": round(1000 * (s.extra_median("server_cpu_s") or 0) / probed, 3),
        })  # fmt: skip
    main = stats.get("1000 routes")
    cpu = [r["client_cpu_ms_per_route"] for r in rows if "before" not in r["name"]]
    return {
        "benchmark": f"route sweep behind {RTT_MS:.0f} ms RTT (routes-reachable)",
        "rows": rows,
        "target": f"1,000 routes <= {TARGET_1000_S} s; harness CPU <= {TARGET_CPU_MS} ms/route",
        "met_1000": None if main is None else main.median_s <= TARGET_1000_S,
        "met_cpu": bool(cpu) and max(cpu) <= TARGET_CPU_MS,
    }
