"""health: the health endpoint answers 200 with the expected body within the budget.

For an https target the certificate's expiry goes into the evidence, and one expiring within
``[targets.NAME.tls] expiry_warn_days`` (14) fails the item: a dated outage, caught early.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from harness.checks.answers import off_site
from harness.config.targets import HealthSpec
from harness.result import CheckResult
from harness.secrets import clip
from harness.transport.http import HttpClient
from harness.transport.tls import Certificate, TlsSpec, peer_certificate

ITEM = "health"


def check_health(client: HttpClient, spec: HealthSpec, tls: TlsSpec | None = None) -> CheckResult:
    """GET the health path once (after any cold-start wait) and judge status, body (unless
    ``status_only``), time and, over https, how long the certificate has left."""
    tls = tls or TlsSpec()
    certificate = peer_certificate(client.base_url, tls)
    started = time.perf_counter()
    response = client.get(spec.path, retry=False)
    elapsed_s = time.perf_counter() - started
    body = _body(response)
    location = response.headers.get("location")
    evidence: dict[str, Any] = {
        "url": str(response.request.url),
        "status": response.status_code,
        "body": body,
        "latency_s": round(elapsed_s, 3),
    } | ({"location": location} if location else {})
    problems = _problems(response.status_code, body, elapsed_s, spec, location)
    if certificate is not None:
        evidence["tls_certificate"] = certificate.evidence()
        problems += _certificate_problems(certificate, tls)
    if not problems:
        judged = " (status only: the page's body is not judged)" if spec.status_only else ""
        return CheckResult.passed(ITEM, f"{spec.path} answered 200 in {elapsed_s:.2f}s{judged}", **evidence)
    return CheckResult.failed(
        ITEM,
        "; ".join(problems),
        remediation=_moved(str(client.base_url), location if 300 <= response.status_code < 400 else None)
        or _remedy(response.status_code, body, elapsed_s, spec, certificate, tls),
        expected={"status": 200, "body": "not judged (status_only)" if spec.status_only else spec.expect, "latency_budget_s": spec.budget_s}
        | ({"certificate_valid_days_at_least": tls.expiry_warn_days} if certificate else {}),
        **evidence,
    )


def _problems(
    status: int, body: Any, elapsed_s: float, spec: HealthSpec, location: str | None = None
) -> list[str]:
    problems = []
    if 300 <= status < 400 and location:
        # A fresh app that sends every path to its setup page: a 302, not a health answer.
        problems.append(f"{spec.path} answered HTTP {status}, a redirect to {location}, expected 200")
    elif status != 200:
        problems.append(f"{spec.path} answered HTTP {status}, expected 200")
    elif not spec.status_only and not body_matches(body, spec.expect):
        problems.append(
            f"{spec.path} body {json.dumps(body)[:200]} does not match {json.dumps(spec.expect)}"
        )
    if elapsed_s > spec.budget_s:
        problems.append(
            f"{spec.path} took {elapsed_s:.2f}s, over the latency budget of {spec.budget_s:g}s"
        )
    return problems


def body_matches(body: Any, expect: Any) -> bool:
    """A dict expectation is a subset match (extra keys like ``revision`` are fine);
    anything else (``true``, ``"OK"``) must be equal."""
    if isinstance(expect, dict):
        return isinstance(body, dict) and all(
            key in body and body_matches(body[key], value) for key, value in expect.items()
        )
    return bool(body == expect)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return clip(response.text, 500)


def _certificate_problems(certificate: Certificate, tls: TlsSpec) -> list[str]:
    days = certificate.days_left()
    if days >= tls.expiry_warn_days:
        return []
    when = certificate.not_after.isoformat(timespec="seconds")
    state = f"expired {-days:.1f} day(s) ago" if days < 0 else f"expires in {days:.1f} day(s)"
    return [
        f"the TLS certificate of {certificate.host}:{certificate.port} {state}, on {when} "
        f"(less than {tls.expiry_warn_days} days)"
    ]


def _moved(base_url: str, location: str | None) -> str | None:
    """A redirect to another host: the address in the profile is not where the app answers."""
    elsewhere = off_site(base_url, location)
    if elsewhere is None:
        return None
    return (
        f"base_url may be wrong: {base_url} redirects to another address, {elsewhere} (an old host, "
        "http instead of https, a login gateway): set base_url to the address that answers itself"
    )


def _remedy(
    status: int, body: Any, elapsed_s: float, spec: HealthSpec,
    certificate: Certificate | None = None, tls: TlsSpec | None = None,
) -> str:  # fmt: skip
    if certificate is not None and tls is not None and _certificate_problems(certificate, tls):
        return "renew the TLS certificate (or fix its automatic renewal) before it expires"
    if status >= 500:
        return "the app reports itself unhealthy: read its logs; check its database connection"
    if status == 404:
        return f"no route at {spec.path}: set [targets.NAME.health] path to the app's health route"
    if 300 <= status < 400:
        return (
            "the app redirects instead of answering (a fresh app sending every path to its setup "
            "page?): finish its setup in [app] migrate (a seed command), or set "
            "[targets.NAME.health] path to a page it serves without a redirect"
        )
    if status != 200 or not (spec.status_only or body_matches(body, spec.expect)):
        return "the health body says the app is not ok; if the app's format differs, set health.expect"
    return "the health route is slow: look for a slow DB query or a cold pool behind it"
