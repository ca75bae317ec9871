"""What routes-reachable sends and how it knows the app's own answers (see reachability).

**The request.** A reading route gets its own method. A writing route gets its own method
and an empty JSON body only where the profile allows writes. Read-only, a writing route
whose OpenAPI operation requires a JSON body gets its own method and a *malformed* JSON
body: the framework rejects it (FastAPI: 422) while parsing, before any handler runs, so
nothing is written, yet a proxy rule that blocks only POST on that path is seen. Only where
nothing safer exists (no OpenAPI, no required body) is a writing route probed with OPTIONS,
and the report lists those routes.

**The fingerprint.** The app's own answers are learned from JSON routes: the OpenAPI
document (served by the app) and the app's JSON 404 for a made-up path, then health. A
text/plain or HTML health route no longer makes the app's JSON 404s look foreign.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from harness.checks.routelist import Route, RoutesSpec, routes_needing_body
from harness.errors import CertificateUntrusted, TargetUnreachable
from harness.secrets import redact
from harness.transport.http import describe_transport_error
from harness.transport.pool import ConnectionPool, PooledResponse

DEFAULT_PARAM = "0"  # an id that almost never exists: the app answers its own 404 or 422
# Starlette/FastAPI's answer for a path no route matches, when calibration is impossible.
STARLETTE_NO_ROUTE = b'{"detail":"Not Found"}'
# Not JSON: the body parser fails before any handler (or dependency) runs.
MALFORMED_JSON = b'{"harness-probe": '
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The shared keep-alive pool, or httpx where it cannot stand in (MockTransport, env proxies):
# both answer get()/options()/request() with a response carrying status_code, headers, content, text.
ProbeClient = ConnectionPool | httpx.Client
ProbeResponse = PooledResponse | httpx.Response


@dataclass(frozen=True)
class Fingerprint:
    """How the app's own answers look, so an answer from something else stands out."""

    media_type: str | None
    server: str | None
    no_route_body: bytes = STARLETTE_NO_ROUTE
    learned_from: str = "health"

    def same_origin(self, response: ProbeResponse) -> bool:
        return media_type(response) == self.media_type and response.headers.get("server") == self.server


@dataclass(frozen=True)
class Calibration:
    fingerprint: Fingerprint
    needs_body: frozenset[tuple[str, str]]  # Route.key of operations with a required JSON body


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    kwargs: dict[str, Any]
    kind: str  # "own" (its own method), "malformed-body", "options", "write" (writes allowed)

    @property
    def safe(self) -> bool:
        """Nothing can have been written: a 5xx here is the app failing, not our request."""
        return self.kind != "write"


def calibrate(
    client: ProbeClient, health_path: str, openapi_path: str | None, authed: ProbeClient | None = None
) -> Calibration:
    """Learn the app's fingerprint and which operations need a body: OpenAPI without auth
    first, with ``authed`` (the credentialed client) only if it answers 401/403."""
    try:
        openapi = client.get(openapi_path) if openapi_path else None
        if openapi is not None and openapi.status_code in (401, 403) and authed is not None:
            openapi = authed.get(openapi_path)  # type: ignore[arg-type]
        made_up = client.get(f"{_parent(health_path)}/harness-no-such-route-{secrets.token_hex(4)}")
        health = client.get(health_path)
    except httpx.TransportError as exc:
        if describe_transport_error(exc).startswith("TLS failure"):
            raise CertificateUntrusted(
                redact(f"{client.base_url}{health_path}: {describe_transport_error(exc)}."),
                hint="the certificate is not trusted or expired; for a private CA set [targets.NAME.tls] ca_bundle",
            ) from exc
        raise TargetUnreachable(
            redact(f"{client.base_url}{health_path}: {describe_transport_error(exc)}."),
            hint="check base_url and that the service is up",
        ) from exc
    fingerprint = _fingerprint(openapi, made_up, health)
    document = _json(openapi) if openapi is not None and openapi.status_code == 200 else None
    return Calibration(fingerprint, frozenset(routes_needing_body(document)))


def _fingerprint(openapi: ProbeResponse | None, made_up: ProbeResponse, health: ProbeResponse) -> Fingerprint:
    if openapi is not None and openapi.status_code == 200 and _is_json(openapi):
        base = Fingerprint(media_type(openapi), openapi.headers.get("server"), learned_from="openapi")
    elif _is_json(health):
        base = Fingerprint(media_type(health), health.headers.get("server"), learned_from="health")
    elif made_up.status_code == 404 and _is_json(made_up):
        base = Fingerprint(media_type(made_up), made_up.headers.get("server"), learned_from="json-404")
    else:
        base = Fingerprint(media_type(health), health.headers.get("server"), learned_from="health")
    if made_up.status_code == 404 and base.same_origin(made_up):
        return Fingerprint(base.media_type, base.server, made_up.content, base.learned_from)
    if made_up.status_code == 404 and made_up.headers.get("server") == base.server:
        # A plain-text health route ("ok" at /) and no OpenAPI: the same server's own 404
        # shows how the app's 404s look (Flask's HTML, say).
        return Fingerprint(media_type(made_up), base.server, made_up.content, "same-server-404")
    return base


def probe_for(route: Route, spec: RoutesSpec, writes_allowed: bool, needs_body: frozenset[tuple[str, str]]) -> Probe:
    """What to send for ``route``: see the module docstring."""
    path = route.path
    for name in route.params:
        path = path.replace(f"{{{name}}}", quote(spec.path_params.get(name, DEFAULT_PARAM), safe=""))
    if not route.writes:
        return Probe(route.method, path, {}, "own")
    if writes_allowed and spec.write_probe in ("auto", "send"):
        return Probe(route.method, path, {"json": {}}, "write")
    if spec.write_probe != "options" and route.key in needs_body:
        headers = {"content-type": "application/json"}
        return Probe(route.method, path, {"content": MALFORMED_JSON, "headers": headers}, "malformed-body")
    return Probe("OPTIONS", path, {}, "options")


def media_type(response: ProbeResponse) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


def _is_json(response: ProbeResponse) -> bool:
    kind = media_type(response) or ""
    return kind == "application/json" or kind.endswith("+json")


def _json(response: ProbeResponse) -> Any:
    try:
        return json.loads(response.content)  # PooledResponse has no .json()
    except ValueError:
        return None


def _parent(path: str) -> str:
    """``/api/health`` → ``/api``: a made-up path beside a route known to reach the app."""
    return path.rstrip("/").rsplit("/", 1)[0]
