"""routes-reachable: every expected route answers through the public base URL.

Each route is requested once (bounded thread pool, per-request timeout) and what answered is
classified:

* ``app`` — the app itself, with any status it produces below 500: 200, 401/403 (auth),
  405, 422 (validation, the malformed-body probe) and its *own* 404 for an unknown id;
* ``app-5xx`` — the app answered 500+ to a probe that cannot have written anything: a
  finding, unless ``[targets.X.routes] allow_5xx`` names the path;
* ``app-no-route`` — the app's "no such route" 404 (the router under another prefix);
* ``proxy-404`` — a 404 that is not the app's: a reverse proxy or ingress has no rule for
  the path (DESIGN §1, the nginx ``/api/wallet/`` 404);
* ``proxy-block`` — another 4xx not in the app's clothes: a proxy rule refusing the method
  or the path (nginx ``limit_except``, a WAF);
* ``gateway`` (502/503/504), ``refused``, ``timeout``, ``tls``, ``error``.

What is sent and how the app's own answers are recognised: ``harness.checks.probing``.
Messages show the URL actually requested, so a base_url whose path repeats the routes'
prefix (``/api`` + ``/api/...``) is visible as ``/api/api/...``.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.checks.answers import (
    Finding,
    doubled_prefix,
    mark_redirects,
    mark_refused,
    redirected,
    refused,
)
from harness.checks.probing import (
    Calibration,
    Fingerprint,
    Probe,
    ProbeClient,
    ProbeResponse,
    calibrate,
    fill_path,
    looks,
    probe_for,
    snippet,
    write_mode,
)
from harness.checks.routelist import Route, RoutesSpec
from harness.checks.witness import Witness, candidates, find_witness, lost_account, with_witness
from harness.config.targets import Target
from harness.messages.core import Message, msg, sentences
from harness.result import CheckResult
from harness.transport.http import GATEWAY_STATUSES, describe_transport_error
from harness.transport.pool import ConnectionPool, uses_proxy
from harness.transport.tls import tls_spec

ITEM = "routes-reachable"
_NAMED_IN_SUMMARY = 30


@dataclass(frozen=True)
class ProbeContext:
    base_url: str
    health_path: str
    writes_allowed: bool  # recorded only: no probe depends on it (harness.checks.probing)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold a token
    verify: Any = True
    transport: httpx.BaseTransport | None = None  # tests: httpx.MockTransport
    openapi_path: str | None = None


@dataclass(frozen=True)
class Answer:
    route: Route
    sent: str  # "METHOD <the URL actually requested>"
    verdict: str
    status: int | None
    detail: str
    kind: str = "own"  # Probe.kind
    location: str | None = None  # a redirect's Location (harness.checks.answers)

    @property
    def reachable(self) -> bool:
        return self.verdict == "app"

    def line(self) -> str:
        return msg("reach.line", route=str(self.route), sent=self.sent, detail=self.detail)


# ---------------------------------------------------------------- the check


def check_routes_reachable(
    ctx: ProbeContext, spec: RoutesSpec, expected: list[Route]
) -> CheckResult:
    routes = spec.keep(expected)
    started = time.perf_counter()
    with _client(ctx, spec, credentials=False) as bare, _client(ctx, spec) as client:
        calibration = calibrate(bare, ctx.health_path, ctx.openapi_path, client)
        # With credentials: a route that proves they work, asked again after the probes.
        witness = find_witness(client, bare, candidates(routes, calibration.shapes)) if ctx.headers else None
        answers = sweep(client, routes, spec, calibration)
        lost = lost_account(client, witness, msg("witness.when.probes")) if witness else None
    elapsed = time.perf_counter() - started
    answers, findings = reread(answers, ctx, witness)
    result = judge(answers, ctx, spec, elapsed, calibration.fingerprint, findings)
    return with_witness(result, witness, lost)


def reread(answers: list[Answer], ctx: ProbeContext, witness: Witness | None) -> tuple[list[Answer], list[Finding]]:
    """What the answers say together (harness.checks.answers): a sweep sent to another host,
    credentials that do not reach a prefix. Returns the answers re-marked and the findings."""
    findings: list[Finding] = []
    answers, elsewhere = mark_redirects(answers, ctx.base_url)
    if elsewhere:
        findings.append(redirected(ctx.base_url, elsewhere))
    if witness is not None:
        answers, prefixes = mark_refused(answers, witness.path)
        if prefixes:
            findings.append(refused(prefixes, witness.path))
    return answers, findings


def _client(ctx: ProbeContext, spec: RoutesSpec, *, credentials: bool = True) -> ProbeClient:
    """One keep-alive pool shared by every probe (``credentials=False``: the calibration's
    bare pool, OpenAPI fetched without auth first). httpx only where the lean pool cannot
    stand in: a test's MockTransport, or an environment proxy (HTTP(S)_PROXY) for the URL."""
    headers = dict(ctx.headers) if credentials else {}
    if ctx.transport is None and not uses_proxy(ctx.base_url):
        return ConnectionPool(ctx.base_url, headers=headers, timeout_s=spec.timeout_s, verify=ctx.verify)
    pool = httpx.Limits(
        max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency
    )
    return httpx.Client(
        base_url=ctx.base_url, timeout=spec.timeout_s, headers=headers, verify=ctx.verify,
        transport=ctx.transport, limits=pool, follow_redirects=False,
    )  # fmt: skip


def sweep(client: ProbeClient, routes: list[Route], spec: RoutesSpec, calibration: Calibration) -> list[Answer]:
    """Probe every route, at most ``spec.concurrency`` at a time; order kept."""
    fp, shapes = calibration.fingerprint, calibration.shapes
    with ThreadPoolExecutor(max_workers=spec.concurrency, thread_name_prefix="harness-probe") as pool:
        return list(pool.map(lambda r: probe(client, r, probe_for(r, spec, shapes), spec, fp), routes))


def probe(client: ProbeClient, route: Route, chosen: Probe, spec: RoutesSpec, fp: Fingerprint) -> Answer:
    # The URL actually requested: both clients join base_url's path and the route's path.
    url = f"{str(client.base_url).rstrip('/')}{chosen.path}"
    sent = f"{chosen.method} {url}"
    resend = chosen.method in ("GET", "HEAD", "OPTIONS")  # one retry for a blip, only where harmless
    for attempt in (1, 2):
        try:
            response = client.request(chosen.method, chosen.path, **chosen.kwargs)
        except httpx.TransportError as exc:
            if attempt == 1 and (resend or isinstance(exc, httpx.ConnectError)):
                continue
            return Answer(route, sent, _transport_verdict(exc), None, describe_transport_error(exc), chosen.kind)
        if response.status_code in GATEWAY_STATUSES and attempt == 1 and resend:
            continue
        answer = classify(route, sent, response, fp)
        if answer.verdict == "app-no-route":
            # OPTIONS at the plain path: a refused value may miss a route typed in its
            # pattern ({id:int}), whose 404 says nothing about the route.
            answer = _routed_after_all(client, answer, fill_path(route, spec))
        return _judge_5xx(answer, chosen, spec, response)
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
    base = answer.detail
    if isinstance(base, Message) and base.msg_id == "reach.app_no_route":
        base = msg("reach.app_itself", **base.params)
    detail = msg("reach.id_missing", detail=base, path=path, status=status)
    return Answer(answer.route, answer.sent, "app", 404, detail)


def classify(route: Route, sent: str, response: ProbeResponse, fp: Fingerprint) -> Answer:
    status = response.status_code
    if status in GATEWAY_STATUSES and not fp.same_origin(response):
        return Answer(route, sent, "gateway", status, msg("reach.gateway", status=status, origin=_origin(response, fp)))
    if status >= 400 and status != 404 and status < 500 and not fp.same_origin(response):
        return Answer(route, sent, "proxy-block", status, msg("reach.not_from_app", status=status, looks=looks(response)))
    if status != 404:
        location = response.headers.get("location") if 300 <= status < 400 else None
        return Answer(route, sent, "app", status, msg("reach.from_app", status=status), location=location)
    if not fp.same_origin(response):
        return Answer(route, sent, "proxy-404", 404, msg("reach.not_from_app", status=404, looks=looks(response)))
    if response.content.strip() == fp.no_route_body.strip():
        return Answer(route, sent, "app-no-route", 404, msg("reach.app_no_route", snippet=snippet(response)))
    return Answer(route, sent, "app", 404, msg("reach.app_itself", snippet=snippet(response)))


def _judge_5xx(answer: Answer, chosen: Probe, spec: RoutesSpec, response: ProbeResponse) -> Answer:
    """A 5xx from the app to a probe (none can write) is the app failing on that route."""
    kind = chosen.kind
    if answer.verdict != "app" or answer.status is None or answer.status < 500:
        return dataclasses.replace(answer, kind=kind)
    if spec.allows_5xx(answer.route):
        detail = msg("reach.allowed_5xx", detail=answer.detail)
        return Answer(answer.route, answer.sent, "app", answer.status, detail, kind)
    detail = msg("reach.app_5xx", status=answer.status, snippet=snippet(response, 200))
    return Answer(answer.route, answer.sent, "app-5xx", answer.status, detail, kind)


def judge(
    answers: list[Answer], ctx: ProbeContext, spec: RoutesSpec, elapsed_s: float,
    fingerprint: Fingerprint | None = None, findings: list[Finding] | None = None,
) -> CheckResult:  # fmt: skip
    bad = [a for a in answers if not a.reachable]
    options_only = [str(a.route) for a in answers if a.kind == "options"]
    evidence: dict[str, Any] = {
        "base_url": ctx.base_url,
        "probed": len(answers),
        "verdicts": dict(Counter(a.verdict for a in answers)),
        "concurrency": spec.concurrency,
        "sweep_s": round(elapsed_s, 3),
        "writing_routes_sent_as": write_mode(spec),
        "writing_probes": dict(Counter(a.kind for a in answers if a.route.writes)),
        # Seen only through OPTIONS: a proxy rule on their own method would not show.
        "only_probed_with_options": options_only,
        "fingerprint_from": fingerprint.learned_from if fingerprint else None,
        "answers": [a.line() for a in answers[:200]],
    }
    caveat = msg("reach.options_only", n=len(options_only)) if options_only else ""
    if spec.note:
        evidence["profile_note"] = spec.note
    if not bad:
        return CheckResult.passed(
            ITEM, sentences(msg("reach.pass", n=len(answers)), caveat, spec.note or ""), **evidence
        )
    named = "; ".join(a.line() for a in bad[:_NAMED_IN_SUMMARY])
    more = f"; and {len(bad) - _NAMED_IN_SUMMARY} more" if len(bad) > _NAMED_IN_SUMMARY else ""
    findings = findings or []
    remedies = [*(f.remedy for f in findings), doubled_prefix(ctx.base_url, [a.route for a in bad])]
    remedies.append(_remedy(Counter(a.verdict for a in bad), spec, explained=bool(findings)))
    # What the answers say together leads: "credentials do not reach the routes under ...".
    lead = "".join(f"{f.lead}; " for f in findings)
    return CheckResult.failed(
        ITEM,
        f"{lead}{len(bad)} of {len(answers)} expected route(s) not reachable through {ctx.base_url}: {named}{more}",
        remediation="; ".join(r for r in remedies if r),
        expected={"every route answered by": "the app"},
        unreachable=[a.line() for a in bad],
        **evidence,
    )


_REMEDIES = {
    "no-credentials": "",  # the finding (harness.checks.answers) is the remedy
    "redirect": "",
    "app-5xx": "the app fails on these routes even for a request that writes nothing: read its logs "
    "for the traceback; if a failure is known and tracked, list the path in [targets.NAME.routes] allow_5xx",
    "proxy-block": "a proxy/WAF rule refuses these methods or paths before the app: fix the rule "
    "(e.g. nginx limit_except, an allow-list of methods)",
    "proxy-404": "the reverse proxy/ingress does not forward these paths to the app: add a rule for "
    "their prefix (before any catch-all such as /api/) or the missing rewrite",
    "app-no-route": "the app has no route at these paths: check the router's include_router(prefix=...) "
    "(FastAPI) or the blueprint's url_prefix (Flask) against the expected list",
    "gateway": "the gateway could not get an answer from the app: check the app's logs and the upstream address",
    "tls": "the TLS handshake failed: check the certificate and [targets.NAME.tls]",
    "timeout": "the routes did not answer in time: raise [targets.NAME.routes] timeout_s or look for a hang",
    "refused": "the connection was refused: check base_url and that the service listens",
}


def _remedy(verdicts: Counter[str], spec: RoutesSpec, *, explained: bool = False) -> str | None:
    for verdict, remedy in _REMEDIES.items():
        if verdicts.get(verdict) and remedy:
            return spec.backend.no_route() if verdict == "app-no-route" else remedy
    return None if explained else "see the answers in the evidence"


def _transport_verdict(exc: httpx.TransportError) -> str:
    text = describe_transport_error(exc)
    if text.startswith("TLS"):
        return "tls"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "refused" if "refused" in text else "error"


def _origin(response: ProbeResponse, fp: Fingerprint) -> str:
    return msg("reach.origin_app") if fp.same_origin(response) else msg("reach.origin_other", looks=looks(response))


def probe_context(target: Target, headers: Mapping[str, str]) -> ProbeContext:
    """The probe settings a profile implies: its base URL, health route, writes, TLS trust."""
    assert target.base_url, "the http fixture skips targets without base_url"
    from harness.checks.routelist import routes_spec

    return ProbeContext(
        target.base_url,
        target.health.path,
        target.writes_allowed,
        headers,
        tls_spec(target).httpx_verify(),
        openapi_path=routes_spec(target).openapi_path,
    )
