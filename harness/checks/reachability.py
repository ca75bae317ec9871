"""routes-reachable: every expected route answers through the public base URL.

Each route is requested once (bounded thread pool, per-request timeout) and what answered is
classified:

* ``app`` — the app itself, with any status it produces: 200, 401/403 (auth), 405, 422
  (validation) and its *own* 404 for an id that does not exist;
* ``app-no-route`` — the app's "no such route" 404 (the router under another prefix);
* ``proxy-404`` — a 404 that is not the app's: a reverse proxy or ingress has no rule for
  the path (DESIGN §1, the nginx ``/api/wallet/`` 404);
* ``gateway`` (502/503/504), ``refused``, ``timeout``, ``tls``, ``error``.

Telling the app's 404 from a proxy's: before the sweep the health route (known to reach the
app) gives the app's fingerprint (media type and ``server`` header), and a made-up path
under it gives the app's "no such route" body. A proxy answers in other clothes — nginx
puts HTML in front of JSON, a PaaS router its own text — even where it rewrites ``server``.

Writing routes (POST/PUT/PATCH/DELETE) are sent with their real method and an empty JSON
body only where the profile allows writes; otherwise as ``OPTIONS``, which no framework
routes to a handler: the app answers 405 (or 200 with CORS) when the path reaches it and
404 when not. The method itself is the ``routes`` check's business (OpenAPI).
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from harness.checks.routelist import Route, RoutesSpec
from harness.config.targets import Target
from harness.errors import TargetUnreachable
from harness.result import CheckResult
from harness.secrets import redact
from harness.transport.http import GATEWAY_STATUSES, describe_transport_error
from harness.transport.pool import ConnectionPool, PooledResponse, uses_proxy
from harness.transport.tls import tls_spec

ITEM = "routes-reachable"
DEFAULT_PARAM = "0"  # an id that almost never exists: the app answers its own 404 or 422
# Starlette/FastAPI's answer for a path no route matches, when calibration is impossible.
STARLETTE_NO_ROUTE = b'{"detail":"Not Found"}'
_NAMED_IN_SUMMARY = 30
# Both answer request()/get() and return a response with status_code, headers, content, text.
ProbeClient = ConnectionPool | httpx.Client
ProbeResponse = PooledResponse | httpx.Response


@dataclass(frozen=True)
class ProbeContext:
    base_url: str
    health_path: str
    writes_allowed: bool
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold a token
    verify: Any = True
    transport: httpx.BaseTransport | None = None  # tests: httpx.MockTransport


@dataclass(frozen=True)
class Fingerprint:
    """How the app's own answers look, so a 404 from something else stands out."""

    media_type: str | None
    server: str | None
    no_route_body: bytes = STARLETTE_NO_ROUTE

    def same_origin(self, response: ProbeResponse) -> bool:
        return (
            _media_type(response) == self.media_type
            and response.headers.get("server") == self.server
        )


@dataclass(frozen=True)
class Answer:
    route: Route
    sent: str
    verdict: str
    status: int | None
    detail: str

    @property
    def reachable(self) -> bool:
        return self.verdict == "app"

    def line(self) -> str:
        return f"{self.route} -> {self.sent}: {self.detail}"


# ---------------------------------------------------------------- the check


def check_routes_reachable(
    ctx: ProbeContext, spec: RoutesSpec, expected: list[Route]
) -> CheckResult:
    routes = spec.keep(expected)
    started = time.perf_counter()
    with _client(ctx, spec) as client:
        fingerprint = take_fingerprint(client, ctx.health_path)
        answers = sweep(client, routes, spec, ctx.writes_allowed, fingerprint)
    elapsed = time.perf_counter() - started
    return judge(answers, ctx, spec, elapsed)


def _client(ctx: ProbeContext, spec: RoutesSpec) -> ProbeClient:
    """One keep-alive pool shared by every probe. httpx only where the lean pool cannot
    stand in: a test's MockTransport, or an environment proxy (HTTP(S)_PROXY) for the URL."""
    if ctx.transport is None and not uses_proxy(ctx.base_url):
        return ConnectionPool(
            ctx.base_url, headers=ctx.headers, timeout_s=spec.timeout_s, verify=ctx.verify
        )
    pool = httpx.Limits(
        max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency
    )
    return httpx.Client(
        base_url=ctx.base_url, timeout=spec.timeout_s, headers=dict(ctx.headers), verify=ctx.verify,
        transport=ctx.transport, limits=pool, follow_redirects=False,
    )  # fmt: skip


def take_fingerprint(client: ProbeClient, health_path: str) -> Fingerprint:
    try:
        known = client.get(health_path)
        missing = client.get(
            f"{health_path.rstrip('/')}/harness-no-such-route-{secrets.token_hex(4)}"
        )
    except httpx.TransportError as exc:
        raise TargetUnreachable(
            redact(f"{client.base_url}{health_path}: {describe_transport_error(exc)}."),
            hint="check base_url and that the service is up",
        ) from exc
    fingerprint = Fingerprint(_media_type(known), known.headers.get("server"))
    if missing.status_code == 404 and fingerprint.same_origin(missing):
        return Fingerprint(fingerprint.media_type, fingerprint.server, missing.content)
    if missing.status_code == 404 and missing.headers.get("server") == fingerprint.server:
        # A plain-text health route ("ok" at /) and JSON errors: the same server's own 404
        # under the health path shows how the app's 404s look.
        return Fingerprint(_media_type(missing), fingerprint.server, missing.content)
    return fingerprint


def sweep(
    client: ProbeClient,
    routes: list[Route],
    spec: RoutesSpec,
    writes_allowed: bool,
    fp: Fingerprint,
) -> list[Answer]:
    """Probe every route, at most ``spec.concurrency`` at a time; order kept."""
    with ThreadPoolExecutor(
        max_workers=spec.concurrency, thread_name_prefix="harness-probe"
    ) as pool:
        return list(pool.map(lambda r: probe(client, r, spec, writes_allowed, fp), routes))


def request_for(
    route: Route, spec: RoutesSpec, writes_allowed: bool
) -> tuple[str, str, dict[str, Any]]:
    """(method, path, httpx kwargs) to send for ``route``: see the module docstring."""
    path = route.path
    for name in route.params:
        path = path.replace(
            f"{{{name}}}", quote(spec.path_params.get(name, DEFAULT_PARAM), safe="")
        )
    if not route.writes:
        return route.method, path, {}
    if writes_allowed and spec.write_probe in ("auto", "send"):
        return route.method, path, {"json": {}}
    return "OPTIONS", path, {}


def probe(
    client: ProbeClient, route: Route, spec: RoutesSpec, writes_allowed: bool, fp: Fingerprint
) -> Answer:
    method, path, kwargs = request_for(route, spec, writes_allowed)
    sent = f"{method} {path}"
    resend = method in ("GET", "HEAD", "OPTIONS")  # one retry for a blip, only where harmless
    for attempt in (1, 2):
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            if attempt == 1 and (resend or isinstance(exc, httpx.ConnectError)):
                continue
            return Answer(route, sent, _transport_verdict(exc), None, describe_transport_error(exc))
        if response.status_code in GATEWAY_STATUSES and attempt == 1 and resend:
            continue
        answer = classify(route, sent, response, fp)
        if answer.verdict == "app-no-route":
            return _routed_after_all(client, answer, path)
        return answer
    raise AssertionError("unreachable")


def _routed_after_all(client: ProbeClient, answer: Answer, path: str) -> Answer:
    """An app whose 404 for a missing id reads like its no-route 404 (Flask's one 404 handler):
    OPTIONS on the path answers (Flask 200, Starlette 405) where a route has it, 404 where not."""
    try:
        status = client.options(path).status_code
    except httpx.TransportError:
        return answer
    if status in (404, *GATEWAY_STATUSES):
        return answer
    detail = f"{answer.detail} (an id that does not exist: OPTIONS {path} answered {status})"
    detail = detail.replace("which has no such route", "itself")
    return Answer(answer.route, answer.sent, "app", 404, detail)


def classify(route: Route, sent: str, response: ProbeResponse, fp: Fingerprint) -> Answer:
    status = response.status_code
    if status in GATEWAY_STATUSES:
        return Answer(route, sent, "gateway", status, f"HTTP {status} {_origin(response, fp)}")
    if status != 404:
        return Answer(route, sent, "app", status, f"HTTP {status} from the app")
    if not fp.same_origin(response):
        return Answer(
            route, sent, "proxy-404", 404, f"HTTP 404 not from the app: {_looks(response)}"
        )
    if response.content.strip() == fp.no_route_body.strip():
        return Answer(
            route,
            sent,
            "app-no-route",
            404,
            f"HTTP 404 from the app, which has no such route: {_snippet(response)}",
        )
    return Answer(route, sent, "app", 404, f"HTTP 404 from the app itself: {_snippet(response)}")


def judge(
    answers: list[Answer], ctx: ProbeContext, spec: RoutesSpec, elapsed_s: float
) -> CheckResult:
    bad = [a for a in answers if not a.reachable]
    evidence: dict[str, Any] = {
        "base_url": ctx.base_url,
        "probed": len(answers),
        "verdicts": dict(Counter(a.verdict for a in answers)),
        "concurrency": spec.concurrency,
        "sweep_s": round(elapsed_s, 3),
        "writing_routes_sent_as": _write_mode(spec, ctx.writes_allowed),
        "answers": [a.line() for a in answers[:200]],
    }
    if not bad:
        return CheckResult.passed(
            ITEM, f"all {len(answers)} expected routes answered from the app", **evidence
        )
    named = "; ".join(a.line() for a in bad[:_NAMED_IN_SUMMARY])
    more = f"; and {len(bad) - _NAMED_IN_SUMMARY} more" if len(bad) > _NAMED_IN_SUMMARY else ""
    return CheckResult.failed(
        ITEM,
        f"{len(bad)} of {len(answers)} expected route(s) not reachable through {ctx.base_url}: {named}{more}",
        remediation=_remedy(Counter(a.verdict for a in bad)),
        expected={"every route answered by": "the app"},
        unreachable=[a.line() for a in bad],
        **evidence,
    )


_REMEDIES = {
    "proxy-404": "the reverse proxy/ingress does not forward these paths to the app: add a rule for "
    "their prefix (before any catch-all such as /api/) or the missing rewrite",
    "app-no-route": "the app has no route at these paths: check the router's include_router(prefix=...) "
    "against the expected list",
    "gateway": "the gateway could not get an answer from the app: check the app's logs and the upstream address",
    "tls": "the TLS handshake failed: check the certificate and [targets.NAME.tls]",
    "timeout": "the routes did not answer in time: raise [targets.NAME.routes] timeout_s or look for a hang",
    "refused": "the connection was refused: check base_url and that the service listens",
}


def _remedy(verdicts: Counter[str]) -> str:
    for verdict in _REMEDIES:
        if verdicts.get(verdict):
            return _REMEDIES[verdict]
    return "see the answers in the evidence"


def _write_mode(spec: RoutesSpec, writes_allowed: bool) -> str:
    if writes_allowed and spec.write_probe in ("auto", "send"):
        return "their own method with an empty JSON body (writes allowed)"
    return "OPTIONS (never writes)"


def _transport_verdict(exc: httpx.TransportError) -> str:
    text = describe_transport_error(exc)
    if text.startswith("TLS"):
        return "tls"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "refused" if "refused" in text else "error"


def _media_type(response: ProbeResponse) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


def _origin(response: ProbeResponse, fp: Fingerprint) -> str:
    return "from the app" if fp.same_origin(response) else f"not from the app: {_looks(response)}"


def _looks(response: ProbeResponse) -> str:
    server = response.headers.get("server", "none")
    return f"server {server!r}, {_media_type(response) or 'no content-type'}, body {_snippet(response)}"


def _snippet(response: ProbeResponse, limit: int = 80) -> str:
    text = response.text
    title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def probe_context(target: Target, headers: Mapping[str, str]) -> ProbeContext:
    """The probe settings a profile implies: its base URL, health route, writes, TLS trust."""
    assert target.base_url, "the http fixture skips targets without base_url"
    return ProbeContext(
        target.base_url,
        target.health.path,
        target.writes_allowed,
        headers,
        tls_spec(target).httpx_verify(),
    )
