"""parity: two live environments, each injected difference named once on the right side,
nothing on two identical ones, and the production side only read (its server log shows no
write). Real PostgreSQL (one embedded cluster, one database per environment) and real HTTP."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from harness.stack.postgres import EmbeddedPostgres

pytestmark = pytest.mark.stack

SCHEMA = """
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE TABLE tasks (id serial PRIMARY KEY, owner int REFERENCES users(id), title text);
"""
ROUTES = ["/api/health", "/api/users", "/api/tasks", "/api/wallet/{user_id}"]


class _App(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's naming
        served = self.server.routes  # type: ignore[attr-defined]
        if self.path == "/openapi.json":
            body = {"openapi": "3.1.0", "paths": {p: {"get": {}} for p in served}}
        elif self.path == "/api/health":
            body = {"status": "ok", "version": self.server.version}  # type: ignore[attr-defined]
        else:
            self.send_response(404)
            self.end_headers()
            return
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


def _serve(routes: list[str], version: str) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _App)
    server.routes, server.version = routes, version  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def cluster() -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres.create()
    pg.start()
    yield pg
    pg.stop()


def _database(pg: EmbeddedPostgres, name: str, revision: str, *extra: str) -> str:
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    with psycopg.connect(pg.url(name), autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("INSERT INTO alembic_version VALUES (%s)", (revision,))
        for statement in extra:
            conn.execute(statement)
    return pg.url(name)


def _parity(folder: Path, staging: tuple[str, str], production: tuple[str, str], *args: str):
    (folder / "targets.toml").write_text(f"""
[targets.staging]
kind = "remote"
base_url = "{staging[0]}"
database_url = "{staging[1]}"
[targets.staging.parity]
counterpart = "production"

[targets.production]
kind = "remote"
production = true
base_url = "{production[0]}"
database_url = "{production[1]}"
""")
    return subprocess.run([sys.executable, "-m", "harness", "parity", "staging", *args],
                          cwd=folder, capture_output=True, text=True, check=False, timeout=120)  # fmt: skip


def test_identical_environments_have_no_difference(cluster, tmp_path):
    a = _serve(ROUTES, "1.4.2")
    b = _serve(ROUTES, "1.4.2")
    try:
        run = _parity(tmp_path, (_url(a), _database(cluster, "same_a", "0005")),
                      (_url(b), _database(cluster, "same_b", "0005")))  # fmt: skip
    finally:
        a.shutdown(), b.shutdown()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 difference(s)" in run.stdout


def test_each_injected_difference_is_named_once_on_its_side(cluster, tmp_path):
    staging_db = _database(cluster, "stg", "0005", "CREATE EXTENSION vector")
    production_db = _database(cluster, "prod", "0004", "CREATE INDEX ix_tasks_title ON tasks (title)")
    with psycopg.connect(cluster.url(), autocommit=True) as conn:  # every statement production sees
        conn.execute("ALTER DATABASE prod SET log_statement = 'all'")
    log_start = cluster.log_path.stat().st_size
    a, b = _serve(ROUTES, "1.4.2"), _serve(ROUTES[:-1], "1.4.1")
    try:
        run = _parity(tmp_path, (_url(a), staging_db), (_url(b), production_db), "--json")
        ja = _parity(tmp_path, (_url(a), staging_db), (_url(b), production_db), "--lang", "ja")
    finally:
        a.shutdown(), b.shutdown()
    assert run.returncode == 1, run.stdout + run.stderr
    texts = [d["text"] for d in json.loads(run.stdout)["differences"]]
    expected = [
        "Alembic revision: staging has 0005, production has 0004",
        "extension vector: staging has 0.8",  # then its version, "production has none"
        "tasks index ix_tasks_title: only production has it",
        "route GET /api/wallet/{user_id}: only staging has it",
        "health version: staging has 1.4.2, production has 1.4.1",
    ]
    for start in expected:
        assert sum(t.startswith(start) for t in texts) == 1, (start, texts)
    assert len(texts) == len(expected), texts
    assert "パリティ staging ↔ production: 相違 5 件" in ja.stdout and "にだけあります" in ja.stdout
    production_statements = [
        line.split("statement:", 1)[1].strip()
        for line in cluster.log_path.read_text(errors="replace")[log_start:].splitlines()
        if "statement:" in line
    ]
    assert production_statements, "log_statement = all should have logged parity's reads"
    writes = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "COPY")
    assert [s for s in production_statements if s.upper().startswith(writes)] == []


def test_an_accepted_difference_does_not_count(cluster, tmp_path):
    a, b = _serve(ROUTES, "1"), _serve(ROUTES, "1")
    try:
        urls = (_url(a), _database(cluster, "acc_a", "0005")), (_url(b), _database(cluster, "acc_b", "0004"))
        _parity(tmp_path, *urls)
        with (tmp_path / "targets.toml").open("a") as toml:
            toml.write('\n[[targets.staging.parity.ignore]]\ndifference = "Alembic revision"\n'
                       'reason = "0005 ships next week"\nwho = "Aiko Sato"\nuntil = 2099-01-01\n')  # fmt: skip
        text = (tmp_path / "targets.toml").read_text()
        run = subprocess.run([sys.executable, "-m", "harness", "parity", "staging"], cwd=tmp_path,
                             capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    finally:
        a.shutdown(), b.shutdown()
    assert "ignore" in text
    assert run.returncode == 0, run.stdout + run.stderr
    assert "accepted until 2099-01-01 by Aiko Sato" in run.stdout


def test_an_unreachable_side_is_blocked_in_one_line(cluster, tmp_path):
    run = _parity(tmp_path, ("http://127.0.0.1:9", _database(cluster, "un_a", "1")),
                  ("http://127.0.0.1:9", _database(cluster, "un_b", "1")))  # fmt: skip
    assert run.returncode == 75, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "connection refused" in run.stderr


def _url(server: http.server.ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
