"""Ask the app's own interpreter what it serves (``probe.py`` in a subprocess).

The harness never imports the app: the probe runs with ``[app] python`` from ``[app] dir``,
with the app's database variables set to a placeholder address (importing an app must not
need a database; if it does, init says so and leaves the routes to a later snapshot).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.checks.routelist import Route, routes_from_openapi
from harness.init.cause import cause_line, connects_at_import
from harness.stack.appcode import database_variables

PROBE = Path(__file__).with_name("probe.py")
# Where the app would find its database while init only imports it: nothing listens there.
_PLACEHOLDER_DB = {
    "url": "postgresql://hv_init:hv_init@127.0.0.1:9/hv_init", "host": "127.0.0.1", "port": "9",
    "user": "hv_init", "password": "hv_init", "database": "hv_init",
}  # fmt: skip
_HEALTH = re.compile(r"(^|/)(health[-_]?check|healthz?|livez?|readyz?|ping|status)/?$")
_LOGIN = re.compile(r"(login|token|signin|sign-in|auth)", re.IGNORECASE)


class ProbeFailed(RuntimeError):
    """The app could not be imported; ``connects``: it reached for a database doing so."""

    def __init__(self, message: str, *, connects: bool = False) -> None:
        super().__init__(message)
        self.connects = connects


@dataclass
class Served:
    framework: str
    openapi_path: str | None
    routes: list[Route]
    bodies: dict[str, list[Any]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)  # path parameter -> schema format
    form_logins: set[str] = field(default_factory=set)
    redirects: list[str] = field(default_factory=list)  # before_request hooks that redirect


def probe_app(
    python: Path | None, app_dir: Path, asgi: str, database_env: dict[str, str],
    database_url: str | None = None,
) -> Served:  # fmt: skip
    """Raise ProbeFailed with the line naming the cause when the app cannot be imported.
    ``database_url``: a real database (the local stack's) instead of the placeholder."""
    command = [str(python or sys.executable), str(PROBE), asgi]
    env = _environment(database_env, database_url)
    done = subprocess.run(
        command, check=False, cwd=app_dir, env=env, capture_output=True, text=True, timeout=120
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("HV-PROBE ")), None)
    if done.returncode != 0 or line is None:
        output = done.stderr or done.stdout
        raise ProbeFailed(
            f"importing {asgi} with {command[0]} failed: {cause_line(output)}",
            connects=connects_at_import(output),
        )
    return _served(json.loads(line.removeprefix("HV-PROBE ")))


def _served(answer: dict[str, Any]) -> Served:
    document = answer.get("openapi")
    if document:
        routes = routes_from_openapi(document)
        params, forms = openapi_details(document)
    else:
        routes = [Route.parse(text, "probe") for text in answer.get("routes", [])]
        params, forms = dict(answer.get("params", {})), set()
    return Served(
        answer["framework"],
        answer.get("openapi_path"),
        routes,
        answer.get("bodies", {}),
        params,
        forms,
        answer.get("redirects", []),
    )


def _environment(database_env: dict[str, str], database_url: str | None) -> dict[str, str]:
    """This process's variables with the app's database ones: the placeholder or ``database_url``."""
    env = dict(os.environ)
    if database_url:
        return env | database_variables(database_env, database_url)
    return env | {name: template.format(**_PLACEHOLDER_DB) for name, template in database_env.items()}


def openapi_details(document: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """Path parameters' formats (uuid, integer …) and the POST routes taking a form body."""
    params: dict[str, str] = {}
    forms: set[str] = set()
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                if param.get("in") == "path":
                    schema = param.get("schema", {})
                    params[param["name"]] = schema.get("format") or schema.get("type") or "string"
            content = operation.get("requestBody", {}).get("content", {})
            if method == "post" and "application/x-www-form-urlencoded" in content:
                forms.add(path)
    return params, forms


def health_route(served: Served) -> tuple[str | None, Any]:
    """The health path and the body to expect (None when its source shows no literal)."""
    gets = [r.path for r in served.routes if r.method == "GET" and "{" not in r.path]
    path = next((p for p in sorted(gets, key=len) if _HEALTH.search(p)), None)
    if path is None:
        return None, None
    bodies = [b for b in served.bodies.get(path, []) if b not in ({}, None)]
    return path, _expectation(bodies)


def _expectation(bodies: list[Any]) -> Any:
    for body in bodies:
        if isinstance(body, dict) and body.get("status") in ("ok", "healthy", "up", "pass"):
            return {"status": body["status"]}
    for body in bodies:
        if body is True or isinstance(body, str):
            return body
    return None


def login_route(served: Served) -> tuple[str, bool] | None:
    """A POST route that looks like a login, and whether it takes a form."""
    for route in served.routes:
        if route.method == "POST" and _LOGIN.search(route.path) and "test" not in route.path:
            return route.path, any(route.path.endswith(p) for p in served.form_logins)
    return None


def path_param_values(served: Served) -> dict[str, str]:
    """Values that name nothing, so each probed route answers the app's own 404."""
    values = {}
    for route in served.routes:
        for name in route.params:
            kind = served.params.get(name, "string")
            values[name] = {"uuid": "00000000-0000-0000-0000-000000000000", "integer": "0"}.get(
                kind, "hv-nobody"
            )
    return dict(sorted(values.items()))
