"""What routes-reachable sends and how it knows the app's own answers (see reachability).

**The request.** A reading route gets its own method. A writing route (POST, PUT, PATCH,
DELETE) is never sent a request its handler could run, whatever ``allow_writes`` says: only
declared flows write (issue 23: a probe with the login's token once ran
``DELETE /users/me`` and deleted the account). Instead, from the app's OpenAPI document:

1. where the operation requires a JSON body: its own method with a *malformed* JSON body.
   FastAPI fails to parse it before solving any dependency or calling the handler (422);
   a proxy rule that blocks only that method on the path is still seen;
2. else where a path parameter is typed (integer, number, boolean, uuid, an enum): its own
   method with a text that type refuses (422 from the framework: dependencies such as the
   auth lookup run, the handler does not);
3. else where a query parameter is required: its own method without it (likewise 422);
4. else OPTIONS (Starlette: 405; Flask: 200), and the report lists those routes.

A body probe also carries the refused path texts, so even a framework that reads its body
lazily gets an id that cannot exist. Without an OpenAPI document (a Flask app, whose route
list comes from its url_map) every writing route gets OPTIONS: Flask parses JSON only when
the handler asks, so a malformed body would not prove the handler did not run.

**The fingerprint.** The app's own answers are learned from JSON routes: the OpenAPI
document (served by the app) and the app's JSON 404 for a made-up path, then health. A
text/plain or HTML health route no longer makes the app's JSON 404s look foreign.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from harness.checks.routelist import Route, RoutesSpec
from harness.checks.shapes import Shape, Shapes, operation_shapes
from harness.errors import CertificateUntrusted, TargetUnreachable
from harness.messages.core import msg
from harness.secrets import redact
from harness.transport.http import describe_transport_error, transport_cause
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
    shapes: Shapes = field(default_factory=dict)  # from the OpenAPI document; {} without one
    document: Any = field(default=None, repr=False)


# What a writing route's probe is, in the order they are preferred (module docstring).
REFUSED_KINDS = ("malformed-body", "refused-path-value", "missing-query")


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    kwargs: dict[str, Any]
    kind: str  # "own" (a reading route), one of REFUSED_KINDS, or "options"


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
                msg("probe.unreachable", url=redact(f"{client.base_url}{health_path}"), reason=describe_transport_error(exc)),
                hint=msg("http.tls_hint"),
            ) from exc
        raise TargetUnreachable(
            msg("probe.unreachable", url=redact(f"{client.base_url}{health_path}"), reason=describe_transport_error(exc)),
            hint=msg("http.check_hint"),
            cause=transport_cause(exc),
        ) from exc
    fingerprint = _fingerprint(openapi, made_up, health)
    document = _json(openapi) if openapi is not None and openapi.status_code == 200 else None
    return Calibration(fingerprint, operation_shapes(document), document)


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


def probe_for(route: Route, spec: RoutesSpec, shapes: Shapes | None = None) -> Probe:
    """What to send for ``route`` (module docstring). There is no way to ask for a request
    a writing route's handler would run: that is the point."""
    if not route.writes:
        return Probe(route.method, fill_path(route, spec), {}, "own")
    shape = (shapes or {}).get(route.key, Shape())
    if spec.write_probe == "options":
        return Probe("OPTIONS", fill_path(route, spec), {}, "options")
    path = fill_path(route, spec, shape.refused_path_values)
    if shape.json_body_required:
        headers = {"content-type": "application/json"}
        return Probe(route.method, path, {"content": MALFORMED_JSON, "headers": headers}, "malformed-body")
    if shape.refused_path_values:
        return Probe(route.method, path, {}, "refused-path-value")
    if shape.required_query:
        return Probe(route.method, path, {}, "missing-query")
    return Probe("OPTIONS", fill_path(route, spec), {}, "options")


def fill_path(route: Route, spec: RoutesSpec, refused: dict[int, str] | None = None) -> str:
    """The route's path with each parameter filled: a refused text at the given positions,
    else the profile's example value, else an id that almost never exists."""
    path = route.path
    for index, name in enumerate(route.params):
        value = (refused or {}).get(index, spec.path_params.get(name, DEFAULT_PARAM))
        path = path.replace(f"{{{name}}}", quote(value, safe=""), 1)
    return path


def write_mode(spec: RoutesSpec) -> str:
    """How writing routes were probed, for the report."""
    if spec.write_probe == "options":
        return "OPTIONS (never reaches a handler)"
    return ("their own method with a malformed JSON body where one is required, else a path value "
            "or a missing query parameter the framework refuses, else OPTIONS (never reaches a handler)")  # fmt: skip


def media_type(response: ProbeResponse) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


def looks(response: ProbeResponse) -> str:
    server = response.headers.get("server", "none")
    kind = media_type(response) or msg("reach.no_content_type")
    return msg("reach.looks", server=repr(server), media=kind, body=snippet(response))


def snippet(response: ProbeResponse, limit: int = 80) -> str:
    text = redact(response.text)  # before the cut and the tag stripping
    title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


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
