"""Does the login's account still authenticate? A witness route, found once and asked again.

A request of the run (a probe, a flow) or something outside it may delete or disable the
account the profile logs in as (issue 23: ``DELETE /users/me`` did, and every later answer
was a 404 the checks took for "the app answers"). So, before routes-reachable probes, the
harness picks a *witness*: a GET route without parameters that answers 2xx with the
credentials and 401/403 without them. After the probes, and again at the end of the run,
the witness is asked with the credentials: 401, 403 or 404 now means the account no longer
authenticates, and the run fails with that finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from harness.checks.routelist import Route
from harness.checks.shapes import Shapes
from harness.config.targets import Target
from harness.errors import ConfigError, HarnessError
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.secrets import redact
from harness.transport.auth import auth_headers
from harness.transport.http import HttpClient
from harness.transport.tls import tls_spec

ITEM = "routes-reachable"
CANDIDATES = 6  # GET routes tried at most (two requests each), before the probes
GONE_STATUSES = frozenset({401, 403, 404})
REMEDY = msg("witness.remedy")


class _Getter(Protocol):
    def get(self, path: str, /) -> Any: ...


@dataclass(frozen=True)
class Witness:
    path: str
    status: int  # with the credentials
    bare_status: int  # without them

    def line(self) -> str:
        return msg("witness.line", path=self.path, status=self.status, bare=self.bare_status)

    def to_evidence(self) -> dict[str, Any]:
        return {"path": self.path, "with_credentials": self.status, "without": self.bare_status}

    @classmethod
    def from_evidence(cls, value: Any) -> Witness | None:
        try:
            return cls(str(value["path"]), int(value["with_credentials"]), int(value["without"]))
        except (TypeError, KeyError, ValueError):
            return None


def candidates(routes: Iterable[Route], shapes: Shapes) -> list[str]:
    """GET routes without parameters; those OpenAPI marks as secured first."""
    plain = [r for r in routes if r.method == "GET" and not r.params]
    plain.sort(key=lambda r: not shapes.get(r.key, None) or not shapes[r.key].secured)
    return [r.path for r in plain[:CANDIDATES]]


def find_witness(authed: _Getter, bare: _Getter, paths: list[str]) -> Witness | None:
    """The first path answering 2xx with the credentials and 401/403 without them."""
    for path in paths:
        try:
            with_credentials = authed.get(path).status_code
            if not 200 <= with_credentials < 300:
                continue
            without = bare.get(path).status_code
        except httpx.TransportError:
            continue
        if without in (401, 403):
            return Witness(path, with_credentials, without)
    return None


def lost_account(authed: _Getter, witness: Witness, when: str) -> str | None:
    """The finding when the witness now refuses the credentials; None while it accepts them
    (or answers something that says nothing about the account: a 5xx, no answer)."""
    try:
        response = authed.get(witness.path)
    except httpx.TransportError:
        return None
    if response.status_code not in GONE_STATUSES:
        return None
    body = " ".join(response.text.split())[:120]
    return msg("witness.lost", path=witness.path, before=witness.status, when=when, after=response.status_code,
               body=redact(repr(body)))  # fmt: skip


def with_witness(result: CheckResult, witness: Witness | None, lost: str | None) -> CheckResult:
    """Record the witness (the end-of-run check asks it again); a lost account fails the item
    whatever the routes answered: their 401s/404s no longer say anything."""
    if witness is None:
        return result
    result.evidence["auth_witness"] = witness.to_evidence()
    if lost is None:
        return result
    summary = lost if result.ok else sentences(lost, result.summary)
    remedy = REMEDY if result.ok else sentences(REMEDY, result.remediation or "")
    return CheckResult.failed(
        result.item, summary, remediation=remedy, expected=result.expected, **result.evidence
    )


# ---------------------------------------------------------------- at the end of the run



def recheck_at_end(target: Target, witness: Witness) -> CheckResult | None:
    """Log in again as the profile says and ask the witness; None where the target cannot be
    asked at all (gone, unreachable): that says nothing about the account."""
    assert target.base_url
    verify = tls_spec(target).httpx_verify()
    with HttpClient(
        target.base_url, timeout_s=target.timeout_s, retries=target.retries, verify=verify
    ) as client:
        try:
            headers = auth_headers(target, client)
        except ConfigError as exc:  # the login refused (a 4xx): the account is gone
            return _lost(msg("witness.login_fails", error=redact(str(exc.one_line())), line=witness.line()), witness,
                         msg("witness.login_refused"))  # fmt: skip
        except HarnessError:  # unreachable, or the login answered 5xx: nothing about the account
            return None
    with HttpClient(target.base_url, timeout_s=target.timeout_s, retries=target.retries, verify=verify,
                    headers=headers) as authed:  # fmt: skip
        try:
            lost = lost_account(authed, witness, msg("witness.when.tests"))
        except HarnessError:
            return None
    if lost:
        return _lost(lost, witness, msg("witness.refused"))
    return CheckResult.passed(ITEM, msg("witness.still", path=witness.path), auth_witness=witness.to_evidence())


def _lost(summary: str, witness: Witness, now: str) -> CheckResult:
    return CheckResult.failed(
        ITEM, summary, remediation=REMEDY,
        expected={"at the end of the run": msg("witness.expected", path=witness.path)},
        auth_witness=witness.to_evidence(), **{"at the end of the run": now},
    )  # fmt: skip
