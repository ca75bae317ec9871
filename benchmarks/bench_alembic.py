"""4. The migration head check at scale; 5. schema drift at scale.

One scratch PostgreSQL (the harness's embedded one) for both. The head check's databases
are stamped at the head by hand (a version table with the head's id), so 1,000 revisions
need no 1,000 migrations; the drift benchmark really migrates, since replay is the work.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, Stats, alternate, ratio, run_process
from benchmarks._procs import admin, child, recreate_database, scratch_postgres
from benchmarks.generate import revision_id, script_directory
from harness.stack.postgres import EmbeddedPostgres

HEAD_SIZES = (10, 100, 1000)
DRIFT_TABLES = (10, 60, 200, 1000)
DRIFT_REVISIONS = 20


def bench_head(runs: int, sizes: tuple[int, ...] = HEAD_SIZES) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hv-bench-head-") as tmp, scratch_postgres() as pg:
        variants: dict[str, Callable[[], Sample]] = {}
        for size in sizes:
            ini = script_directory(Path(tmp) / f"n{size}", size)
            url = recreate_database(pg, f"head_{size}")
            admin(pg, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
                  f"INSERT INTO alembic_version VALUES ('{revision_id(size - 1)}')", database=f"head_{size}")  # fmt: skip
            variants[f"harness {size}"] = _head_sampler(ini, url)
            variants[f"cli {size}"] = _cli_sampler(ini, url)
        stats = alternate(runs, variants)
    rows = []
    for size in sizes:
        harness, cli = stats[f"harness {size}"], stats[f"cli {size}"]
        rows.append({
            "revisions": size, "harness": harness.to_dict(), "cli": cli.to_dict(),
            "harness_process_s": _median_extra(harness, "process_s"),
            "speedup": round(ratio(cli, harness), 2),
        })  # fmt: skip
    last = rows[-1]
    return {
        "benchmark": "migration head check at scale (harness vs alembic heads + alembic current)",
        "rows": rows,
        "target": "< 1 s at 1,000 revisions and >= 10x faster than the command lines",
        "met": last["harness"]["median_s"] < 1.0 and last["speedup"] >= 10,
    }


def _head_sampler(ini: Path, url: str) -> Callable[[], Sample]:
    return lambda: child("head", {"ini": str(ini), "database_url": url})


def _cli_sampler(ini: Path, url: str) -> Callable[[], Sample]:
    """What a user types: ``alembic heads`` then ``alembic current`` (env.py connects)."""
    env = {**os.environ, "DATABASE_URL": url}
    alembic = [sys.executable, "-m", "alembic", "-c", str(ini)]

    def sample() -> Sample:
        total = Sample(0.0)
        for cmd in ("heads", "current"):
            one, code, output = run_process([*alembic, cmd], cwd=str(ini.parent), env=env)
            if code != 0:
                raise RuntimeError(f"alembic {cmd} failed (exit {code}):\n{output[-1500:]}")
            total.seconds += one.seconds
            total.peak_rss_mb = max(total.peak_rss_mb, one.peak_rss_mb)
            total.extra[f"{cmd}_s"] = one.seconds
        return total

    return sample


def bench_drift(runs: int, sizes: tuple[int, ...] = DRIFT_TABLES) -> dict[str, Any]:
    """schema-drift at each table count (tables spread over up to 20 revisions); the goal is
    judged at the largest."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="hv-bench-drift-") as tmp, scratch_postgres() as pg:
        for tables in sizes:
            revisions = max(1, min(DRIFT_REVISIONS, tables // 10))
            ini = script_directory(Path(tmp) / f"drift{tables}", revisions, tables=tables)
            live = recreate_database(pg, f"drift_live_{tables}")
            migrated, code, output = run_process(
                [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
                cwd=str(ini.parent), env={**os.environ, "DATABASE_URL": live},
            )  # fmt: skip
            if code != 0:
                raise RuntimeError(f"alembic upgrade head failed:\n{output[-1500:]}")
            admin(pg, f'CREATE DATABASE "drift_snap_{tables}" TEMPLATE "drift_live_{tables}"')
            snapshot = pg.url(f"drift_snap_{tables}")  # what a provisioned stack keeps
            name, local = (
                f"schema-drift {tables} tables",
                f"schema-drift {tables} tables, stack snapshot",
            )
            stats = alternate(
                runs,
                {
                    name: _drift_sampler(pg, ini, live),
                    local: _snapshot_sampler(live, snapshot),
                },
            )
            s, snap = stats[name], stats[local]
            rows.append({**s.to_dict(), "tables": tables, "revisions": revisions,
                         "process_s": _median_extra(s, "process_s"),
                         "alembic_upgrade_cli_s": round(migrated.seconds, 3),
                         "snapshot_s": round(snap.median_s, 4)})  # fmt: skip
    last = rows[-1]
    return {
        "benchmark": f"schema drift at scale ({', '.join(str(n) for n in sizes)} tables)",
        "rows": rows,
        "target": f"< 10 s at {last['tables']:,} tables",
        "met": last["median_s"] < 10.0,
        "met_on_a_stack": last["snapshot_s"] < 10.0,
    }


def _snapshot_sampler(live: str, snapshot: str) -> Callable[[], Sample]:
    return lambda: child("drift_snapshot", {"live_url": live, "snapshot_url": snapshot})


def _drift_sampler(pg: EmbeddedPostgres, ini: Path, live: str) -> Callable[[], Sample]:
    def sample() -> Sample:
        replay = recreate_database(pg, "drift_replay")  # the fixture's job, not timed
        try:
            return child("drift", {"ini": str(ini), "live_url": live, "replay_url": replay})
        finally:
            admin(pg, 'DROP DATABASE IF EXISTS "drift_replay" WITH (FORCE)')

    return sample


def _median_extra(stats: Stats, key: str) -> float | None:
    value = stats.extra_median(key)
    return None if value is None else round(value, 4)
