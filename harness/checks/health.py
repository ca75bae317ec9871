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
from harness.messages.core import msg
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
        said = msg("health.pass_status_only" if spec.status_only else "health.pass", path=spec.path, seconds=f"{elapsed_s:.2f}")
        return CheckResult.passed(ITEM, said, **evidence)
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
    problems: list[str] = []
    if 300 <= status < 400 and location:
        # A fresh app that sends every path to its setup page: a 302, not a health answer.
        problems.append(msg("health.redirect", path=spec.path, status=status, location=location))
    elif status != 200:
        problems.append(msg("health.status", path=spec.path, status=status))
    elif not spec.status_only and not body_matches(body, spec.expect):
        problems.append(msg("health.body", path=spec.path, body=json.dumps(body)[:200], expect=json.dumps(spec.expect)))
    if elapsed_s > spec.budget_s:
        problems.append(msg("health.slow", path=spec.path, seconds=f"{elapsed_s:.2f}", budget=f"{spec.budget_s:g}"))
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
    which = "health.cert_expired" if days < 0 else "health.cert_expires"
    host = f"{certificate.host}:{certificate.port}"
    return [msg(which, host=host, days=f"{abs(days):.1f}", when=when, limit=tls.expiry_warn_days)]


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
        return msg("health.renew")
    if status >= 500:
        return msg("health.unhealthy")
    if status == 404:
        return msg("health.no_route", path=spec.path)
    if 300 <= status < 400:
        return msg("health.redirects")
    if status != 200 or not (spec.status_only or body_matches(body, spec.expect)):
        return msg("health.body_remedy")
    return msg("health.slow_remedy")
