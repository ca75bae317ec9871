"""The printed tables: one row per measured variant, the comparison and its target beside it,
then the phases of the full runs."""

from __future__ import annotations

from typing import Any


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, result in results.items():
        rows += _ROWS[name](result)
    return rows


def _row(
    bench: str, variant: str, stats: dict[str, Any], vs: str = "", target: str = "", met: Any = ""
) -> dict[str, Any]:
    return {
        "benchmark": bench, "variant": variant, "median_s": stats["median_s"], "min_s": stats["min_s"],
        "max_s": stats["max_s"], "peak_rss_mb": stats["peak_rss_mb"], "comparison": vs,
        "target": target, "met": {True: "yes", False: "NO"}.get(met, met),
    }  # fmt: skip


def _pair(bench: str, label: str) -> Any:
    def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
        a, b = result["a"], result["b"]
        rss = result["phases_median_s"][a["name"]].get("pytest_self_rss_mb")
        first = _row(
            bench, a["name"], a, f"{label} = {result['ratio']:.2f}", result["target"], result["met"]
        )
        if rss is not None:
            first["peak_rss_mb"] = rss  # the pytest process itself, not its largest child
        second = _row(bench, b["name"], b)
        rss_b = result["phases_median_s"][b["name"]].get("pytest_self_rss_mb")
        if rss_b is not None:
            second["peak_rss_mb"] = rss_b
        return [first, second]

    return rows


def _peer(result: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = result["a"], result["b"]
    checks = result["checks_s"]
    vs = (f"harness / pytest-alembic = {result['ratio']:.2f}; the checks alone "
          f"{checks['harness']:.2f} s / {checks['pytest-alembic']:.2f} s = {result['checks_ratio']:.2f}")  # fmt: skip
    return [_row("vs pytest-alembic", "harness, 5 database items", a, vs, result["target"], result["met"]),
            _row("", "pytest-alembic, 4 built-in tests", b)]  # fmt: skip


def _bigapp(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for i, row in enumerate(result["rows"]):
        phases = row["phases_median_s"]
        vs = "" if i == 0 else f"{row['ratio_to_reference']:.2f}x the reference app"
        spent = ", ".join(f"{p} {phases[p]:.1f}" for p in ("startup", "migrations", "app_start", "suites") if p in phases)
        rows.append({**_row("generated app" if i < 2 else "", row["name"], row, f"{vs}; {spent}".strip("; "),
                            result["target"] if i == 1 else "", result["met"] if i == 1 else ""),
                     "peak_rss_mb": phases.get("pytest_self_rss_mb", row["peak_rss_mb"])})  # fmt: skip
    return rows


def _routes(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in result["rows"]:
        per = 1000 / row["routes"]
        vs = (
            f"{row['ms_per_route']:.2f} ms/route wall; CPU per route: server {row['server_cpu_s'] * per:.2f} ms, "
            f"harness {row['client_cpu_s'] * per:.2f} ms"
        )
        is_1000 = row["name"] == "1000 routes"  # one uvicorn worker
        rows.append(_row("route sweep", row["name"], row, vs, "1,000 <= 2 s" if is_1000 else "",
                         result["met_1000"] if is_1000 else ""))  # fmt: skip
    return rows


def _staging_routes(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in result["rows"]:
        vs = (
            f"{row['concurrency']} in flight; CPU per route: harness {row['client_cpu_ms_per_route']:.2f} ms, "
            f"server {row['server_cpu_ms_per_route']:.2f} ms"
        )
        first = row is result["rows"][0]
        rows.append(_row("sweep behind 50 ms", row["name"], row, vs,
                         result["target"] if first else "",
                         (result["met_1000"] and result["met_cpu"]) if first else ""))  # fmt: skip
    return rows


def _staging_run(result: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = result["a"], result["b"]
    vs = f"(-n 0) / ({b['name']}) = {result['ratio']:.2f}"
    return [_row("staging run, 50 ms", a["name"], a, vs, result["target"], result["met"]),
            _row("", b["name"], b)]  # fmt: skip


def _head(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in result["rows"]:
        last = row is result["rows"][-1]
        rows.append(_row("head check", f"harness, {row['revisions']} revisions", row["harness"],
                         f"{row['speedup']:.1f}x faster than the CLI (whole process {row['harness_process_s']:.2f} s)",
                         "< 1 s and >= 10x at 1,000" if last else "", result["met"] if last else ""))  # fmt: skip
        rows.append(_row("head check", f"alembic heads + current, {row['revisions']}", row["cli"]))
    return rows


def _drift(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in result["rows"]:
        last = row is result["rows"][-1]
        vs = (f"replay (remote targets); on a provisioned stack (against its snapshot) {row['snapshot_s']:.2f} s; "
              f"alembic upgrade head CLI {row['alembic_upgrade_cli_s']:.2f} s")  # fmt: skip
        rows.append(_row("schema drift", row["name"], row, vs, result["target"] if last else "",
                         result["met"] if last else ""))  # fmt: skip
    return rows


def _rehearsal(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [_row("rehearsal", row["name"], row, f"copy {row['copy_s']:.2f} s; whole process {row['process_s']:.2f} s",
                 result["target"], result["met"]) for row in result["rows"]]  # fmt: skip


_ROWS = {
    "full-run": _pair("full local run", "harness / floor"),
    "peer": _peer,
    "bigapp": _bigapp,
    "xdist": _pair("parallelism", "(-n 0) / (-n 2)"),
    "routes": _routes,
    "staging-routes": _staging_routes,
    "staging-run": _staging_run,
    "head": _head,
    "drift": _drift,
    "rehearsal": _rehearsal,
}


def phase_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Median seconds per phase, one column per measured variant of the full runs."""
    columns: dict[str, dict[str, float]] = {}
    for name in ("full-run", "xdist"):
        if name in results:
            for variant, phases in results[name]["phases_median_s"].items():
                columns.setdefault(f"{name}: {variant}", phases)
    if not columns:
        return []
    names = list(dict.fromkeys(p for phases in columns.values() for p in phases))
    return [{"phase": p, **{col: phases.get(p) for col, phases in columns.items()}} for p in names]


def markdown(document: dict[str, Any]) -> str:
    """The figures of one ``python -m benchmarks`` JSON as Markdown (docs/benchmark-results.md,
    written by scripts/gen_docs.py from docs/benchmarks.json)."""
    results = document["benchmarks"]
    machine = document.get("machine", {})
    load = document.get("loadavg_at_end") or [None]
    lines = [
        (f"Measured {document.get('started_at', '')[:16].replace('T', ' ')} UTC, {document.get('runs')} "
        f"run(s) per figure, median with min–max; {machine.get('cpus')} CPUs, Python {machine.get('python')}, "
        f"load average at the end {load[0]:.1f}. The machine is shared: absolute seconds move from run "
        "to run; the ratios, measured side by side (A B A B …) in one run, are what holds.\n\n"),
        f"{document['note']}.\n\n" if document.get("note") else "",
        "| benchmark | variant | median s | min–max s | peak RSS MB | comparison | goal | met |\n",
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    ]
    for row in table_rows(results):
        cells = [row["benchmark"], row["variant"], f"{row['median_s']:.2f}",
                 f"{row['min_s']:.2f}–{row['max_s']:.2f}", f"{row['peak_rss_mb']:.0f}",
                 row["comparison"], row["target"], row["met"]]  # fmt: skip
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |\n")
    phases = phase_rows(results)
    if phases:
        columns = list(phases[0])[1:]
        lines += ["\nPhases of the full runs (median s):\n\n", f"| phase | {' | '.join(columns)} |\n",
                  "| --- |" + " --- |" * len(columns) + "\n"]  # fmt: skip
        for row in phases:
            values = ["" if row[c] is None else f"{row[c]:.2f}" for c in columns]
            lines.append(f"| {row['phase']} | {' | '.join(values)} |\n")
    return "".join(lines)
