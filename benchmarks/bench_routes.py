"""3. Route sweep at scale: routes + routes-reachable against generated FastAPI apps.

Every size is served at once (one uvicorn each) and the sizes are measured alternately.
Besides the check's wall time each sample records the CPU the harness used (client) and
the CPU the server used (read from /proc before and after), which says where the time
goes: Starlette matches a request against its routes one by one, so the server's cost per
request grows with the number of routes and a sweep of N routes costs it O(N²).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, Stats, alternate
from benchmarks._procs import Server, child
from benchmarks.generate import ROUTE_APP_MODULE, route_app

SIZES = (100, 1000, 5000)
TARGET_1000_S = 2.0


def bench_routes(
    runs: int, sizes: tuple[int, ...] = SIZES, workers: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    """``workers``: uvicorn worker counts to compare at the middle size."""
    with tempfile.TemporaryDirectory(prefix="hv-bench-routes-") as tmp:
        servers: dict[str, Server] = {}
        variants: dict[str, Callable[[], Sample]] = {}
        try:
            for size in sizes:
                folder = Path(tmp) / f"n{size}"
                folder.mkdir()
                route_app(folder, size)
                counts = [1] if size != _middle(sizes) else list(workers)
                for count in counts:
                    name = _name(size, count)
                    servers[name] = Server(folder, ROUTE_APP_MODULE, workers=count)
                    variants[name] = _sampler(servers[name], folder / "expected.json")
            stats = alternate(runs, variants)
        finally:
            for server in servers.values():
                server.stop()
    return _result(stats, sizes, workers)


def _name(size: int, workers: int) -> str:
    return f"{size} routes" + ("" if workers == 1 else f", uvicorn --workers {workers}")


def _middle(sizes: tuple[int, ...]) -> int:
    return sorted(sizes)[len(sizes) // 2]


def _sampler(server: Server, expected: Path) -> Callable[[], Sample]:
    def sample() -> Sample:
        before = server.cpu_s()
        result = child("routes", {"base_url": server.base_url, "expected": str(expected)})
        result.extra["server_cpu_s"] = server.cpu_s() - before
        return result

    return sample


def _result(
    stats: dict[str, Stats], sizes: tuple[int, ...], workers: tuple[int, ...]
) -> dict[str, Any]:
    rows = []
    for s in stats.values():
        probed = s.extra_median("probed") or 1
        rows.append({
            **s.to_dict(),
            "routes": int(probed),
            "ms_per_route": round(1000 * s.median_s / probed, 3),
            "routes_s": _round(s.extra_median("routes_s")),
            "reachable_s": _round(s.extra_median("reachable_s")),
            "client_cpu_s": _round(s.extra_median("cpu_s")),
            "server_cpu_s": _round(s.extra_median("server_cpu_s")),
        })  # fmt: skip
    middle = stats.get(_name(1000, 1))
    return {
        "benchmark": "route sweep at scale (routes + routes-reachable)",
        "rows": rows,
        "target": f"growth linear in routes; 1,000 routes <= {TARGET_1000_S} s",
        "met_1000": None if middle is None else middle.median_s <= TARGET_1000_S,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
