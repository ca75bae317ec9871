"""Asking the served app: init starts the local target it has drafted (embedded PostgreSQL,
the app's migrations, the app) and reads from the running app what its source cannot say.

- ``read_served_app``: for an app that connects to its database while it is imported
  (``create_app()`` opening a connection), which init's placeholder address cannot import:
  its OpenAPI document (FastAPI; the path found on the docs page when it is not
  /openapi.json) or its route table with the stack's database (Flask);
- ``ask_served_app`` and both: what its candidate health routes really answer, and the page
  each redirect leads to (harness.init.health chooses from that).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.checks.routelist import routes_from_openapi
from harness.config.targets import Target, resolve_target
from harness.errors import HarnessError
from harness.init.app_probe import Served, openapi_details, probe_app
from harness.init.health import LiveAnswer, health_candidates, same_app_path
from harness.stack import StackAddresses, make_stack
from harness.stack.app import log_file
from harness.transport.http import HttpClient
from harness.transport.wait import Progress

_OPENAPI_ON_DOCS = re.compile(r"""url:\s*['"]([^'"]*openapi[^'"]*)['"]""")


def read_served_app(
    targets_file: Path, flask: bool, progress: Progress
) -> tuple[Served, dict[str, LiveAnswer]]:
    """The app's routes and the answers of its likely health routes, from the local target
    of ``targets_file`` brought up for this and torn down after."""
    with _served(targets_file, progress) as (target, addresses, client):
        assert target.app is not None
        if flask:  # its url_map, asked with the stack's database (it connects at import)
            spec = target.app
            served = probe_app(
                Path(spec.python), spec.dir, spec.served, dict(spec.database_env),
                addresses.database_url,
            )  # fmt: skip
        else:
            served = _from_openapi(client, target.app.dir)
        return served, answers(client, health_candidates(served))


def ask_served_app(
    targets_file: Path, served: Served, progress: Progress
) -> dict[str, LiveAnswer]:
    """What the app served by the local target of ``targets_file`` answers to its likely
    health routes (the routes already known from the app's interpreter)."""
    with _served(targets_file, progress) as (_target, _addresses, client):
        return answers(client, health_candidates(served))


@contextmanager
def _served(
    targets_file: Path, progress: Progress
) -> Iterator[tuple[Target, StackAddresses, HttpClient]]:
    """The local target of ``targets_file`` up, and a client on its app; down afterwards.
    Its log folder is kept (and named) only when the start failed."""
    target = resolve_target("local", targets_file)
    log_dir = Path(tempfile.mkdtemp(prefix="hv-init-"))
    stack = make_stack(target, log_dir)
    try:
        addresses = stack.start(progress)
    except HarnessError as exc:
        stack.stop()
        raise RuntimeError(f"{exc.one_line()} (the app's log: {log_file(log_dir)})") from None
    try:
        if addresses.migrate_stopped:
            raise RuntimeError(addresses.migrate_stopped)
        with HttpClient(addresses.base_url, timeout_s=30.0, retries=0) as client:
            yield target, addresses, client
    finally:
        stack.stop()
    shutil.rmtree(log_dir, ignore_errors=True)


def answers(client: HttpClient, paths: list[str]) -> dict[str, LiveAnswer]:
    """Each path's answer, and that of the page each redirect leads to on the same app."""
    found: dict[str, LiveAnswer] = {}
    todo = list(paths)
    while todo and len(found) < 2 * len(paths) + 2:
        path = todo.pop(0)
        if path in found:
            continue
        found[path] = _answer(client, path)
        target = same_app_path(found[path].location) if 300 <= found[path].status < 400 else None
        if target and target not in found:
            todo.insert(0, target)
    return found


def _from_openapi(client: HttpClient, source_dir: Path) -> Served:
    """The document at the path the source names, the usual paths, or the one the Swagger
    page links to."""
    for path in _openapi_paths(source_dir):
        response = client.get(path)
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            document: Any = response.json()
            params, forms = openapi_details(document)
            return Served("fastapi", path, routes_from_openapi(document), {}, params, forms)
    for docs in ("/docs", "/api/docs", "/api/v1/docs"):
        page = client.get(docs)
        found = _OPENAPI_ON_DOCS.search(page.text) if page.status_code == 200 else None
        if found:
            response = client.get(found.group(1))
            document = response.json()
            params, forms = openapi_details(document)
            return Served(
                "fastapi", found.group(1), routes_from_openapi(document), {}, params, forms
            )
    raise RuntimeError(
        "the served app answers no OpenAPI document at /openapi.json nor links one from /docs"
    )


def _openapi_paths(source_dir: Path) -> list[str]:
    """``openapi_url="/…"`` literals in the app's source first, then the usual places."""
    named: list[str] = []
    for path in sorted(source_dir.rglob("*.py"))[:2000]:
        if any(part.startswith(".") or part in ("venv", "site-packages") for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        named += re.findall(r"""openapi_url\s*=\s*["'](/[^"']*)["']""", text)
    return list(
        dict.fromkeys([*named, "/openapi.json", "/api/openapi.json", "/api/v1/openapi.json"])
    )


def _answer(client: HttpClient, path: str) -> LiveAnswer:
    response = client.get(path)
    return LiveAnswer(
        response.status_code,
        response.headers.get("content-type", ""),
        response.text[:2000],
        response.headers.get("location"),
    )
