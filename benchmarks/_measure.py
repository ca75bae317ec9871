"""Measuring side by side: alternate A and B, take the median of N, keep min and max.

These machines are noisy (2 shared cores), so absolute seconds move from run to run; a
ratio of A and B measured alternately in the same run holds. Peak RSS is read from the
kernel's rusage of each child process (``os.wait4``), so it is the real high-water mark.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Sample:
    seconds: float
    peak_rss_mb: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class Stats:
    name: str
    samples: list[Sample]

    @property
    def median_s(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def min_s(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def max_s(self) -> float:
        return max(s.seconds for s in self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_mb for s in self.samples)

    def extra_median(self, key: str) -> float | None:
        values = [s.extra[key] for s in self.samples if key in s.extra]
        return statistics.median(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "runs": len(self.samples),
            "median_s": round(self.median_s, 4),
            "min_s": round(self.min_s, 4),
            "max_s": round(self.max_s, 4),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "samples": [asdict(s) for s in self.samples],
        }


# Set by ``python -m benchmarks --no-warmup``: the smoke test only needs figures that are
# there and well-formed, and the warm-up round doubled its two minutes.
WARMUP = {"enabled": True}


def alternate(runs: int, variants: Mapping[str, Callable[[], Sample]]) -> dict[str, Stats]:
    """Run each variant ``runs`` times, interleaved A B A B …, after one unmeasured warm-up
    round (first runs pay for cold page caches and .pyc compilation) unless WARMUP is off."""
    if WARMUP["enabled"]:
        for run in variants.values():
            run()
    collected: dict[str, list[Sample]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, run in variants.items():
            collected[name].append(run())
    return {name: Stats(name, samples) for name, samples in collected.items()}


def run_process(
    argv: Sequence[str], *, cwd: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[Sample, int, str]:
    """Run a command, return its wall time, its peak RSS and its output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, env=dict(env) if env else None,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Sample(seconds, peak_rss_mb=usage.ru_maxrss / 1024), proc.returncode, output


def time_call(fn: Callable[[], Any]) -> Sample:
    """Time an in-process call; peak RSS is the process's high-water mark so far."""
    import resource

    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    return Sample(seconds, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def ratio(a: Stats, b: Stats) -> float:
    return a.median_s / b.median_s if b.median_s else float("inf")


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table; columns are the keys of the first row."""
    if not rows:
        return "(no rows)"
    headers = list(rows[0])
    cells = [[_cell(row.get(h)) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)
