"""8. A large generated app: the full local run as the app grows.

Real backends have a few hundred routes and dozens of tables (the corpus: 243 routes, 58
tables), the reference app 13 and a handful. Each variant is a generated app
(benchmarks/generate.py: routes in routers of 25, tables with a foreign key, an index and a
unique constraint each, linear revisions, models that match them) run cold with
``pytest --target=bench`` (kind local: embedded PostgreSQL, the app's migrations, the app
served, every built-in suite), alternated with the reference app's own full run. The Flask
twin runs under gunicorn in examples/flask_app's venv (Flask is not in the harness's).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, alternate, ratio
from benchmarks.bench_local_run import PHASES, harness_run
from benchmarks.generate import (
    MODELS_MODULE,
    ROUTE_APP_MODULE,
    flask_route_app,
    models_module,
    route_app,
    script_directory,
)

REPO = Path(__file__).resolve().parents[1]
FLASK_PYTHON = REPO / "examples" / "flask_app" / ".venv" / "bin" / "python"
# (framework, routes, tables, revisions); the goal is judged on the first.
SIZES = (("fastapi", 250, 60, 100), ("flask", 250, 60, 100), ("fastapi", 13, 10, 10),
         ("fastapi", 1000, 200, 100))  # fmt: skip
TARGET_RATIO = 2.0

_TARGETS = """
[targets.bench]
kind = "local"
alembic_ini = "{folder}/alembic.ini"
allow_writes = true

[targets.bench.app]
dir = "{folder}"
{server}
database_env = "DATABASE_URL"

[targets.bench.health]
path = "/api/health"
expect = {{ status = "ok" }}

[targets.bench.routes]
{openapi}expected = "{folder}/expected.json"
path_params = {{ item_id = "0" }}
ignore = ["/docs*", "/redoc*", "/openapi.json", "/static*"]

[targets.bench.database]
models = "{models}:metadata"

[targets.bench.checks]
not_applicable = {{ pgvector = "a generated app without vectors", "pgvector-usable" = "a generated app without vectors", "wallet-reward" = "a generated app without a wallet", "wallet-idempotent" = "a generated app without a wallet" }}
"""


def variant_name(framework: str, routes: int, tables: int, revisions: int) -> str:
    return f"{framework}, {routes} routes, {tables} tables, {revisions} revisions"


def bench_bigapp(runs: int, sizes: tuple[tuple[str, int, int, int], ...] = SIZES) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hv-bench-bigapp-") as tmp:
        variants: dict[str, Callable[[], Sample]] = {"reference app": harness_run}
        for framework, routes, tables, revisions in sizes:
            folder = Path(tmp) / f"{framework}-{routes}-{tables}-{revisions}"
            write_app(folder, framework, routes, tables, revisions)
            variants[variant_name(framework, routes, tables, revisions)] = _runner(folder)
        stats = alternate(runs, variants)
    reference = stats["reference app"]
    rows = []
    for s in stats.values():
        phases = {p: round(v, 3) for p in (*PHASES, "pytest_self_rss_mb", "largest_child_rss_mb")
                  if (v := s.extra_median(p)) is not None}  # fmt: skip
        rows.append({**s.to_dict(), "ratio_to_reference": round(ratio(s, reference), 3), "phases_median_s": phases})
    goal = rows[1]  # the first generated size
    return {
        "benchmark": "full local run of generated apps against the reference app's",
        "rows": rows, "target": f"{goal['name']}: at most {TARGET_RATIO}x the reference app's full run",
        "met": goal["ratio_to_reference"] <= TARGET_RATIO,
    }  # fmt: skip


def write_app(folder: Path, framework: str, routes: int, tables: int, revisions: int) -> None:
    folder.mkdir(parents=True)
    script_directory(folder, revisions, tables=tables)
    models_module(folder, tables)
    if framework == "flask":
        flask_route_app(folder, routes)
        server = f'python = "{FLASK_PYTHON.parent.parent}"\nwsgi = "{ROUTE_APP_MODULE}:app"'
        openapi = 'openapi_path = ""  # Flask serves none: the routes come from the app itself\n'
    else:
        route_app(folder, routes)
        server, openapi = f'asgi = "{ROUTE_APP_MODULE}:app"', ""
    (folder / "targets.toml").write_text(_TARGETS.format(folder=folder, server=server, openapi=openapi, models=MODELS_MODULE))


def _runner(folder: Path) -> Callable[[], Sample]:
    # 1: items that do not apply to a generated app (pgvector, the wallet flow) may be not run
    return lambda: harness_run(f"--target-file={folder}/targets.toml", ok_codes=(0, 1), target="bench")
