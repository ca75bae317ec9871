"""Reading the routes from the served app, for an app that connects to its database while it
is imported (``create_app()`` opening a connection): init's placeholder address cannot
import it, so init starts the local target it has just written (embedded PostgreSQL, the
app's migrations, the app) and asks the running app: its OpenAPI document (FastAPI; the
path found on the docs page when it is not /openapi.json) or its route table with the
stack's database (Flask), and what its candidate health routes really answer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.checks.routelist import routes_from_openapi
from harness.config.targets import resolve_target
from harness.init.app_probe import Served, openapi_details, probe_app
from harness.init.health import LiveAnswer, parameterless_gets
from harness.stack import make_stack
from harness.transport.http import HttpClient
from harness.transport.wait import Progress

_OPENAPI_ON_DOCS = re.compile(r"""url:\s*['"]([^'"]*openapi[^'"]*)['"]""")
_HEALTH_WORDS = re.compile(r"health|healthz|livez|readyz|ping|status")


def read_served_app(
    targets_file: Path, flask: bool, progress: Progress
) -> tuple[Served, dict[str, LiveAnswer]]:
    """The app's routes and the answers of its likely health routes, from the local target
    of ``targets_file`` brought up for this and torn down after."""
    target = resolve_target("local", targets_file)
    assert target.app is not None
    stack = make_stack(target)
    try:
        addresses = stack.start(progress)
        with HttpClient(addresses.base_url, timeout_s=30.0, retries=0) as client:
            if flask:  # its url_map, asked with the stack's database (it connects at import)
                spec = target.app
                served = probe_app(
                    Path(spec.python), spec.dir, spec.served, dict(spec.database_env),
                    addresses.database_url,
                )  # fmt: skip
            else:
                served = _from_openapi(client)
            return served, {path: _answer(client, path) for path in _candidates(served)}
    finally:
        stack.stop()


def _from_openapi(client: HttpClient) -> Served:
    path = "/openapi.json"
    response = client.get(path)
    if response.status_code != 200:
        docs = client.get("/docs")
        found = _OPENAPI_ON_DOCS.search(docs.text) if docs.status_code == 200 else None
        if found is None:
            raise RuntimeError(
                f"the served app answers no OpenAPI document at {path} (HTTP {response.status_code})"
            )
        path = found.group(1)
        response = client.get(path)
    document: Any = response.json()
    params, forms = openapi_details(document)
    return Served("fastapi", path, routes_from_openapi(document), {}, params, forms)


def _candidates(served: Served) -> list[str]:
    """Routes named like a health check, and the first cheap GETs (``/`` first)."""
    gets = parameterless_gets(served)
    return [p for p in gets if _HEALTH_WORDS.search(p)] + gets[:3]


def _answer(client: HttpClient, path: str) -> LiveAnswer:
    response = client.get(path)
    return LiveAnswer(
        response.status_code,
        response.headers.get("content-type", ""),
        response.text[:2000],
        response.headers.get("location"),
    )
