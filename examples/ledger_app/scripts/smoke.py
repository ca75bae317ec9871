"""Prove ledger_app by hand against a real PostgreSQL.

    PGHOST=127.0.0.1 PGPORT=5432 PGUSER=u PGPASSWORD=... PGDATABASE=db \
        .venv/bin/python scripts/smoke.py

(or LEDGER_DATABASE_URL instead of the PG* parts). Migrates to head, starts the
app with uvicorn on a free 127.0.0.1 port, exercises the API, stops it. Exit 0
when every step passed. LEDGER_FAULTS is passed through, so running with a fault
shows which step catches it.
"""
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

APP_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def database_url() -> str:
    if os.environ.get("LEDGER_DATABASE_URL"):
        return os.environ["LEDGER_DATABASE_URL"]
    env = os.environ
    user = quote(env.get("PGUSER", "postgres"), safe="")
    password = quote(env.get("PGPASSWORD", ""), safe="")
    host, port = env.get("PGHOST", "127.0.0.1"), env.get("PGPORT", "5432")
    db = env.get("PGDATABASE", "postgres")
    return f"postgres://{user}:{password}@{host}:{port}/{db}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=APP_DIR, env=env, check=True)


@contextmanager
def running_app(env: dict[str, str]) -> Iterator[str]:
    """uvicorn on a free port until the block ends; yields the base URL."""
    port = free_port()
    cmd = [PYTHON, "-m", "uvicorn", "ledger_app.main:app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=APP_DIR, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app exited with {proc.returncode} before serving")
        try:
            if httpx.get(f"{base}/operations", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("app did not answer GET /operations within 20 s")


def burst(base: str, owner: str, nonce: str, size: int = 10) -> list[int]:
    """``size`` concurrent credits with one nonce, released together by a barrier."""
    body = {"operation": "task_completed", "amount": 7, "nonce": nonce, "owner_id": owner}
    barrier, codes = threading.Barrier(size), []
    client = httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_connections=size))

    def one() -> None:
        barrier.wait()
        codes.append(client.post("/ledger", json=body).status_code)

    threads = [threading.Thread(target=one) for _ in range(size)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    return codes


def steps(c: httpx.Client, base: str) -> list[tuple[str, Callable[[], object]]]:
    run = uuid.uuid4().hex[:8]
    owner, nonce = f"hv-smoke-{run}-1", f"n-{run}-1"
    body = {"operation": "task_completed", "amount": 7, "nonce": nonce, "owner_id": owner}
    first: dict[str, object] = {}

    def credit() -> object:
        r = c.post("/ledger", json=body)
        assert r.status_code == 201, (r.status_code, r.text)
        first.update(r.json())
        assert first["balance"] == 7 and first["owner_id"] == owner, first
        return first

    def replay() -> object:
        r = c.post("/ledger", json=body)
        assert r.status_code == 409, (r.status_code, r.text)
        assert r.json() == {"detail": "nonce already used", "entry_id": first["id"]}, r.json()
        return r.json()

    def balance() -> object:
        r = c.get(f"/ledger/{owner}/balance")
        assert r.json() == {"owner_id": owner, "balance": 7}, r.json()
        return r.json()

    def entries() -> object:
        got = c.get(f"/ledger/{owner}").json()
        want = [{"id": first["id"], "operation": "task_completed", "amount": 7, "nonce": nonce}]
        assert got == {"owner_id": owner, "balance": 7, "entries": want}, got
        return got

    def rejects() -> object:
        wrong = c.post("/ledger", json={**body, "nonce": f"{nonce}-w", "amount": 700})
        unknown = c.post("/ledger", json={**body, "nonce": f"{nonce}-u", "operation": "mint"})
        assert (wrong.status_code, unknown.status_code) == (422, 422), (wrong.text, unknown.text)
        return "422, 422"

    def unknown_owner() -> object:
        got = c.get(f"/ledger/hv-nobody-{run}").json()
        assert got == {"owner_id": f"hv-nobody-{run}", "balance": 0, "entries": []}, got
        return got

    def concurrent() -> object:
        owner2 = f"hv-smoke-{run}-2"
        codes = sorted(burst(base, owner2, f"n-{run}-2"))
        bal = c.get(f"/ledger/{owner2}/balance").json()["balance"]
        assert codes == [201] + [409] * 9 and bal == 7, (codes, bal)
        return codes

    return [("operations", lambda: c.get("/operations").json()), ("credit", credit),
            ("replay 409", replay), ("balance", balance), ("entries", entries),
            ("422s", rejects), ("unknown owner", unknown_owner), ("burst of 10", concurrent)]


def main() -> int:
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url()}
    migrate(env)
    failed = 0
    with running_app(env) as base, httpx.Client(base_url=base, timeout=10) as client:
        for name, step in steps(client, base):
            try:
                print(f"ok    {name}: {step()}")
            except AssertionError as exc:
                failed += 1
                print(f"FAIL  {name}: {exc}")
    print("smoke:", "passed" if not failed else f"{failed} step(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
