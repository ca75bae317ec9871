"""Smoke-test the app end to end against a real PostgreSQL, by hand.

Usage (from anywhere; POSTGRES_* in the environment name an existing database):
    POSTGRES_SERVER=127.0.0.1 POSTGRES_PORT=5432 POSTGRES_USER=postgres \
    POSTGRES_PASSWORD=... POSTGRES_DB=app .venv/bin/python scripts/smoke.py

It runs the prestart steps, serves the app with uvicorn on a free loopback port,
logs in as FIRST_SUPERUSER, walks users and items, and stops the server. Each
step prints `ok` or `FAIL` with the HTTP status; the exit code is the number of
failed steps. Set TEMPLATE_APP_FAULTS to watch a fault show up. Stdlib only.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

APP_DIR = Path(__file__).resolve().parents[1]
PREFIX = "/api/v1"
PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request; returns (status, parsed JSON body or raw text)."""
    headers, data = {}, None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + PREFIX + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def prestart() -> None:
    for module in ("app.backend_pre_start", "alembic", "app.initial_data"):
        args = [PY, "-m", module] + (["upgrade", "head"] if module == "alembic" else [])
        subprocess.run(args, cwd=APP_DIR, check=True)


def serve(port: int) -> subprocess.Popen[bytes]:
    args = [PY, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(args, cwd=APP_DIR)


def wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    """Until the server accepts connections (any status: health may be faulted)."""
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}")
        try:
            call(base, "GET", "/openapi.json")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("uvicorn did not start listening")


class Steps:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, name: str, status: int, want: int, detail: Any = "") -> None:
        ok = status == want
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {status} (want {want}) {detail}"[:200])


def walk(base: str, steps: Steps) -> None:
    status, body = call(base, "GET", "/utils/health-check/")
    steps.check("health", status, 200, body)
    form = {
        "username": os.environ.get("FIRST_SUPERUSER", "admin@example.com"),
        "password": os.environ.get("FIRST_SUPERUSER_PASSWORD", "changethis"),
    }
    status, body = call(base, "POST", "/login/access-token", form=form)
    steps.check("login", status, 200, "token issued" if status == 200 else body)
    token = body.get("access_token") if isinstance(body, dict) else None
    steps.check("test-token", *call(base, "POST", "/login/test-token", token)[:1], 200)
    status, body = call(base, "GET", "/users/me", token)
    steps.check("users/me", status, 200, body.get("email") if status == 200 else body)
    steps.check("users list", call(base, "GET", "/users/", token)[0], 200)
    steps.check("no token", call(base, "GET", "/users/me")[0], 401)
    walk_items(base, token, steps)


def walk_items(base: str, token: str | None, steps: Steps) -> None:
    status, item = call(base, "POST", "/items/", token, {"title": "smoke", "description": "d"})
    steps.check("items create", status, 200, item)
    steps.check("items list", call(base, "GET", "/items/", token)[0], 200)
    item_id = item.get("id", "00000000-0000-0000-0000-000000000000") if status == 200 else "0"
    steps.check("items get", call(base, "GET", f"/items/{item_id}", token)[0], 200)
    steps.check("items put", call(base, "PUT", f"/items/{item_id}", token, {"title": "t2"})[0], 200)
    steps.check("items delete", call(base, "DELETE", f"/items/{item_id}", token)[0], 200)


def main() -> int:
    prestart()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(port)
    steps = Steps()
    try:
        wait_up(base, server)
        walk(base, steps)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{steps.failed} step(s) failed")
    return steps.failed


if __name__ == "__main__":
    sys.exit(main())
