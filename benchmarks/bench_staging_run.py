"""5. A staging run behind 50 ms of round-trip time: ``-n 4`` against ``-n 0``.

A deployed target is far away, so a staging run waits on the network, not the CPU — which
is where pytest-xdist workers should pay even on 2 cores. Once per benchmark the reference
app is brought up bare (embedded PostgreSQL, ``alembic upgrade head``, uvicorn) and put
behind two delaying proxies (HTTP and PostgreSQL, ``benchmarks._wan``). Each sample is a
cold ``pytest --target=staging`` (kind ``remote``, read-only) running the built-in suites
plus 40 generated read-only checks, each marked with its own checklist item, that do what a
user's own checks typically do: one API read and one SQL read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, alternate, ratio, run_process
from benchmarks._procs import WanProcess, scratch_postgres
from harness.stack.postgres import free_port

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "examples" / "reference_app"
GENERATED_CHECKS = 40
RTT_MS = 50.0
TARGET_RATIO = 2.5
_URL_ENV = "HV_BENCH_STAGING_DATABASE_URL"  # the URL holds a password: env, never a file

_CHECK = """

@pytest.mark.checklist("bench-read-{n:02d}")
def test_bench_read_{n:02d}(http, db_engine, check):
    answer = http.get("{path}")
    with db_engine.connect() as conn:
        rows = conn.execute(text("{sql}")).scalar()
    check(CheckResult.passed("bench-read-{n:02d}", f"HTTP {{answer.status_code}}, {{rows}} row(s)"))
"""
_PATHS = ("/api/health", "/api/users", "/api/wallet/supply", "/openapi.json")
_SQL = (
    "SELECT count(*) FROM alembic_version",
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    "SELECT count(*) FROM pg_extension",
)


def bench_staging_run(runs: int, workers: int = 4) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hv-bench-staging-run-") as tmp, _staging() as env:
        folder = Path(tmp)
        _write_project(folder, env.pop("HV_BENCH_BASE_URL"))

        def run(*extra: str) -> Sample:
            return _pytest_run(folder, env, *extra)

        stats = alternate(runs, {f"-n {workers}": lambda: run("-n", str(workers)),
                                 "-n 0": lambda: run("-n", "0")})  # fmt: skip
    value = ratio(stats["-n 0"], stats[f"-n {workers}"])
    return {
        "benchmark": f"staging run behind {RTT_MS:.0f} ms RTT ((-n 0) / (-n {workers}))",
        "a": stats["-n 0"].to_dict(), "b": stats[f"-n {workers}"].to_dict(),
        "ratio": round(value, 3), "target": f"-n {workers} at least {TARGET_RATIO}x faster",
        "met": value >= TARGET_RATIO, "checks": GENERATED_CHECKS,
    }  # fmt: skip


@contextmanager
def _staging() -> Iterator[dict[str, str]]:
    """The reference app, migrated and served, behind the proxies; yields the run's env."""
    with scratch_postgres() as pg:
        env = {**os.environ, "DATABASE_URL": pg.url(), "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"],
                       cwd=APP, env=env, check=True, capture_output=True)  # fmt: skip
        port = free_port()
        app = subprocess.Popen([sys.executable, "-m", "uvicorn", "reference_app.main:app", "--host",
                                "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                               cwd=APP, env=env, start_new_session=True)  # fmt: skip
        proxies: list[WanProcess] = []
        try:
            proxies.append(WanProcess("proxy", upstream=f"127.0.0.1:{port}", rtt_ms=RTT_MS))
            proxies.append(WanProcess("proxy", upstream=f"127.0.0.1:{pg.port}", rtt_ms=RTT_MS))
            db_url = pg.url().replace(f":{pg.port}/", f":{proxies[1].port}/")
            yield {**os.environ, _URL_ENV: db_url, "PYTHONPATH": str(REPO),
                   "HV_BENCH_BASE_URL": proxies[0].base_url}  # fmt: skip
        finally:
            for proxy in proxies:
                proxy.stop()
            app.terminate()
            app.wait(timeout=15)


def _pytest_run(folder: Path, env: dict[str, str], *extra: str) -> Sample:
    argv = [sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), "-p", "harness.plugin", "--target=staging", f"--target-file={folder}/targets.toml",
            "-o", f"harness_checklists_dir={folder}/checklists", "-q", "-p", "no:randomly",
            f"--report-dir={folder}/reports", "suites", str(folder / "test_bench_reads.py"), *extra]  # fmt: skip
    sample, code, output = run_process(argv, cwd=str(REPO), env=env)
    if code not in (0, 1):  # 1: read-only staging leaves the writing flow not run
        raise RuntimeError(f"staging run failed (exit {code}):\n{output[-3000:]}")
    sample.extra["exit_code"] = float(code)
    return sample


def _write_project(folder: Path, base_url: str) -> None:
    checks = "".join(
        _CHECK.format(n=n, path=_PATHS[n % len(_PATHS)], sql=_SQL[n % len(_SQL)])
        for n in range(1, GENERATED_CHECKS + 1)
    )
    header = (
        "import pytest\nfrom sqlalchemy import text\n\nfrom harness.result import CheckResult\n"
    )
    (folder / "test_bench_reads.py").write_text(header + checks)
    (folder / "checklists").mkdir()
    items = "".join(
        f'\n[[items]]\nid = "bench-read-{n:02d}"\nrequired = true\n'
        f'title = {{ en = "Generated read-only check {n}", ja = "生成した読み取り検査 {n}" }}\n'
        for n in range(1, GENERATED_CHECKS + 1)
    )
    phase1 = (REPO / "checklists" / "phase1.toml").read_text()
    (folder / "checklists" / "bench.toml").write_text(
        phase1.replace('id = "phase1"', 'id = "bench"', 1) + items
    )
    (folder / "targets.toml").write_text(
        _TARGETS.format(base_url=base_url, repo=REPO, env=_URL_ENV)
    )


_TARGETS = """
[targets.staging]
kind = "remote"
base_url = "{base_url}"
database_url = "${{{env}}}"
alembic_ini = "{repo}/examples/reference_app/alembic.ini"
allow_writes = false
production = false
checklist = "bench"

[targets.staging.app]
dir = "{repo}/examples/reference_app"

[targets.staging.health]
path = "/api/health"
expect = {{ status = "ok" }}
budget_s = 3.0

[targets.staging.routes]
expected = "{repo}/expected_routes/reference_app.json"
path_params = {{ user_id = "0", task_id = "0" }}
ignore = ["/docs*", "/redoc*", "/openapi.json"]

[targets.staging.database]
models = "reference_app.models:Base.metadata"
"""
