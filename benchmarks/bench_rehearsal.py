"""6. The migration rehearsal on the reference app with 10,000 rows in its tables.

The live database is the reference app at 0004 with ``rows`` rows (half users, half tasks),
so 0005 (a vector column and an HNSW index) is pending. Two variants: nobody else connected
(the copy is ``CREATE DATABASE … TEMPLATE``) and another session holding a connection, as a
deployed app always does (the copy goes through ``pg_dump | pg_restore``). Each sample is a
fresh process running the whole item: copy, upgrade, down, up, drop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import psycopg

from benchmarks._measure import Sample, alternate, run_process
from benchmarks._procs import REPO, child, recreate_database, scratch_postgres

APP = REPO / "examples" / "reference_app"
ROWS = 10_000


def bench_rehearsal(runs: int, rows: int = ROWS) -> dict[str, Any]:
    with scratch_postgres() as pg:
        live = recreate_database(pg, "rehearsal_live")
        _, code, output = run_process([sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "0004"],
                                      cwd=str(APP), env={**os.environ, "DATABASE_URL": live})  # fmt: skip
        if code != 0:
            raise RuntimeError(f"alembic upgrade 0004 failed:\n{output[-1500:]}")
        _fill(live, rows)
        stats = alternate(runs, {"template copy": _sampler(live, busy=False),
                                 "pg_dump | pg_restore": _sampler(live, busy=True)})  # fmt: skip
    out = []
    for name, s in stats.items():
        out.append({**s.to_dict(), "name": f"rehearsal, {rows:,} rows, {name}", "rows": rows,
                    "copy_s": s.extra_median("copy_s"), "process_s": s.extra_median("process_s")})  # fmt: skip
    return {
        "benchmark": f"migration rehearsal on the reference app ({rows:,} rows, 1 pending revision, round trip)",
        "rows": out,
        "target": "< 30 s with 10,000 rows",
        "met": all(row["median_s"] < 30 for row in out),
    }


def _fill(url: str, rows: int) -> None:
    users = rows // 2
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (name, email) SELECT 'user' || g, 'u' || g || '@example.com' "
                     "FROM generate_series(1, %s) g", (users,))  # fmt: skip
        conn.execute("INSERT INTO tasks (title, bounty, assigned_to) SELECT 'task ' || g, g %% 100, "
                     "1 + g %% %s FROM generate_series(1, %s) g", (users, rows - users))  # fmt: skip


def _sampler(live: str, *, busy: bool) -> Callable[[], Sample]:
    def sample() -> Sample:
        holder = psycopg.connect(live) if busy else None  # the app's pool, standing in
        try:
            return child("rehearsal", {"ini": str(APP / "alembic.ini"), "live_url": live})
        finally:
            if holder is not None:
                holder.close()

    return sample
