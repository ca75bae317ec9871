"""Route lists: the (method, path) pairs an app serves, from its OpenAPI document or a file.

The expected list lives in the team's repository as JSON, written by
``python -m harness routes snapshot --target NAME --out FILE`` and edited by hand after::

    {"openapi_path": "/openapi.json", "routes": ["GET /api/health", "POST /api/users", ...]}

Paths keep their parameter names (``{user_id}``) for people to read; comparisons ignore the
names, so renaming a parameter is not a route change.

The profile section ``[targets.NAME.routes]`` says where OpenAPI lives, where the expected
list is, example path parameters, the probe pool and which paths to ignore.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.checks.backend import Backend, backend_of
from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_PROBES = ("auto", "options", "send")
# "send" once sent writing routes a well-formed request where writes were allowed, and so ran
# their handlers (issue 23: DELETE /users/me deleted the login's account). It is still
# accepted, so old profiles load, but probes exactly as "auto" does; the report says so.
SEND_IGNORED = (
    'routes.write_probe = "send" is ignored: writing routes are never sent a request their '
    'handler could run (only declared flows write), so probed as "auto": remove the key'
)
_PARAM = re.compile(r"\{([^}/]*)\}")


@dataclass(frozen=True, order=True)
class Route:
    method: str
    path: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity for comparisons: the method and the path with parameter names erased."""
        return self.method, _PARAM.sub("{}", self.path)

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @classmethod
    def parse(cls, text: str, where: str) -> Route:
        method, _, path = text.strip().partition(" ")
        method, path = method.upper(), path.strip()
        if method not in HTTP_METHODS or not path.startswith("/"):
            raise ConfigError(
                msg("rl.not_route", where=where, text=repr(text)), hint=msg("rl.route_example")
            )
        return cls(method, path)


# Probes in flight at once. A far staging host costs a round trip per probe, so the sweep
# takes routes × RTT / concurrency: 1,000 routes behind 50 ms is ≈1.6 s at 32, 6 s at 8.
# 32 keep-alive connections are nothing for a web server; lower it for a fragile one.
DEFAULT_CONCURRENCY = 32


@dataclass(frozen=True)
class RoutesSpec:
    """``[targets.NAME.routes]``, validated."""

    openapi_path: str | None = "/openapi.json"  # None: the app serves no OpenAPI document
    expected_file: Path | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    timeout_s: float = 10.0
    ignore: tuple[str, ...] = ()
    # How a writing route is probed (never by running its handler, see harness.checks.probing):
    # "auto" a request the framework refuses before the handler, else OPTIONS; "options" always
    # OPTIONS. "send" (old) is read as "auto" with ``note`` saying so.
    write_probe: str = "auto"
    note: str = ""
    # Path globs whose 5xx on a safe probe is accepted (a known, tracked fault).
    allow_5xx: tuple[str, ...] = ()

    def allows_5xx(self, route: Route) -> bool:
        return any(fnmatch.fnmatchcase(route.path, glob) for glob in self.allow_5xx)
    # Also compare the route table the app's code declares (helpers/app_routes.py) with the
    # list: catches a FastAPI route hidden from OpenAPI (include_in_schema=False).
    app_cross_check: bool = False
    # Whose words the remedies use: include_router (FastAPI) or register_blueprint (Flask).
    backend: Backend = field(default_factory=Backend)

    def ignored(self, route: Route) -> bool:
        """A pattern is a path glob (``/docs*``) or ``METHOD glob`` (``POST /api/admin/*``)."""
        for pattern in self.ignore:
            method, _, path_glob = pattern.partition(" ") if " " in pattern else ("*", "", pattern)
            if fnmatch.fnmatchcase(route.method, method.upper()) and fnmatch.fnmatchcase(
                route.path, path_glob
            ):
                return True
        return False

    def keep(self, routes: Iterable[Route]) -> list[Route]:
        return sorted({r for r in routes if not self.ignored(r)})


_KNOWN = {
    "openapi_path",
    "expected",
    "path_params",
    "concurrency",
    "timeout_s",
    "ignore",
    "write_probe",
    "allow_5xx",
    "app_cross_check",
}


def routes_spec(target: Target) -> RoutesSpec:
    """Read and validate ``[targets.NAME.routes]``; every problem names its key."""
    table = target.section("routes")
    where = f"targets.{target.name}.routes"
    reject_unknown_keys(table, _KNOWN, where)
    openapi_path = _text(table, "openapi_path", "/openapi.json", where)
    expected = _text(table, "expected", "", where)
    return RoutesSpec(
        openapi_path=openapi_path or None,
        expected_file=_resolve(expected, target.base_dir) if expected else None,
        path_params=_path_params(table.get("path_params", {}), where),
        concurrency=_number(table, "concurrency", DEFAULT_CONCURRENCY, where, int, 1, 256),
        timeout_s=_number(table, "timeout_s", target.timeout_s, where, (int, float), 0.1, 600),
        ignore=_patterns(table.get("ignore", []), where),
        write_probe=_write_probe(table, where),
        note=SEND_IGNORED if table.get("write_probe") == "send" else "",
        allow_5xx=_patterns(table.get("allow_5xx", []), where, "allow_5xx"),
        app_cross_check=_flag(table, "app_cross_check", where),
        backend=backend_of(target.app),
    )


def _text(table: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(msg("rl.expected_string", where=where, key=key, value=repr(value)), hint=msg("rl.fix", key=key))
    if key == "openapi_path" and value and not value.startswith("/"):
        raise ConfigError(
            msg("rl.slash", where=where, key=key, value=repr(value)), hint=msg("rl.openapi_example")
        )
    return value


def _number(
    table: Mapping[str, Any],
    key: str,
    default: float,
    where: str,
    kind: Any,
    low: float,
    high: float,
) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        raise ConfigError(
            msg("rl.range", where=where, key=key, low=f"{low:g}", high=f"{high:g}", value=repr(value)),
            hint=msg("rl.fix", key=key),
        )
    return value


def _choice(table: Mapping[str, Any], key: str, choices: tuple[str, ...], where: str) -> str:
    value = table.get(key, choices[0])
    if value not in choices:
        raise ConfigError(
            msg("rl.choice", where=where, key=key, value=repr(value), choices=", ".join(choices)), hint=msg("rl.fix", key=key)
        )
    return str(value)


def _write_probe(table: Mapping[str, Any], where: str) -> str:
    value = _choice(table, "write_probe", WRITE_PROBES, where)
    return "auto" if value == "send" else value


def _flag(table: Mapping[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(
            msg("rl.bool", where=where, key=key, value=repr(value)), hint=msg("rl.fix", key=key)
        )
    return value


def _path_params(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(v, (str, int)) for v in value.values()):
        raise ConfigError(
            msg("rl.path_params", where=where), hint=msg("rl.path_params_example"),
        )
    return {str(k): str(v) for k, v in value.items()}


def _patterns(value: Any, where: str, key: str = "ignore") -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            msg("rl.globs", where=where, key=key), hint=msg("rl.globs_example", key=key)
        )
    return tuple(value)


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


# ---------------------------------------------------------------- the expected list file


def load_expected(path: Path, where: str = "routes.expected") -> list[Route]:
    if not path.is_file():
        raise ConfigError(
            msg("rl.no_list", where=where, path=path), hint=msg("rl.no_list_hint", path=path),
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        lines = document["routes"] if isinstance(document, dict) else document
        return sorted({Route.parse(line, f"{path}") for line in lines})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            msg("rl.not_list", path=path, error=exc), hint=msg("rl.list_example"),
        ) from exc


def expected_document(routes: Iterable[Route], openapi_path: str | None) -> str:
    """The file text: stable order and layout, so a re-snapshot diffs cleanly."""
    body = {"openapi_path": openapi_path, "routes": [str(r) for r in sorted(set(routes))]}
    return json.dumps(body, indent=2) + "\n"


# ---------------------------------------------------------------- OpenAPI


def routes_from_openapi(document: Any) -> list[Route]:
    """Every (method, path) in an OpenAPI 3 / Swagger 2 document, under its server prefix."""
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError("no 'paths' object")
    prefix = server_prefix(document)
    routes = set()
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in item:
            if method.upper() in HTTP_METHODS:
                routes.add(Route(method.upper(), prefix + path))
    return sorted(routes)


def server_prefix(document: dict[str, Any]) -> str:
    """OpenAPI paths are relative to ``servers[0].url`` (FastAPI's ``root_path``) or
    Swagger 2's ``basePath``; the public path includes that prefix."""
    servers = document.get("servers")
    url = (
        servers[0].get("url", "")
        if isinstance(servers, list) and servers and isinstance(servers[0], dict)
        else ""
    )
    path = urlsplit(str(url)).path if url else str(document.get("basePath", ""))
    return path.rstrip("/")
