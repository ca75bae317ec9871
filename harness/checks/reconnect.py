"""db-reconnect: after its database connections die, does the app recover on the next request?

A database restart, a failover or an idle-connection reaper ends the app's sessions while
its pool still holds them. With ``pool_pre_ping`` (or ``pool_recycle``) the pool notices and
reconnects; without, the next request on each dead connection answers 5xx. Only the first
request after the cut shows it, so:

1. warm: send every safe route once, watching the app's sessions (harness.checks.dbactivity);
   a route is judged only if it answered without 5xx *and* made the app touch its database.
   A route that already failed, or that reads nothing, proves nothing about the pool.
2. cut: terminate the app's idle sessions (never the harness's own, nor a busy one).
3. send each judged route once. A transport error (a kept-alive connection the server
   closed) is retried once on a new connection before any verdict; a 5xx is not retried.
4. re-warm: send the routes again until a round has no 5xx, so no dead pooled connection is
   left for a later item (the item also runs last: harness.plugin.database).

Nothing judged, or no session cut: "not run" with the reason (``NotRun``), never a pass.
Terminating sessions is a write to someone's database: only where the harness runs the
stack itself (local, containers), or a remote profile that allows writes; otherwise n/a.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from harness.checks.dbactivity import settled_sessions, terminate_idle_app_sessions
from harness.checks.enginesite import EngineSite, engine_sites
from harness.checks.routelist import Route, RoutesSpec
from harness.errors import TargetHung, TargetUnavailable
from harness.messages.core import msg
from harness.result import CheckResult
from harness.transport.http import HttpClient, describe_transport_error

ITEM = "db-reconnect"
REMEDY_ID = "reconnect.remedy"
REWARM_ROUNDS = 5


@dataclass(frozen=True)
class NotRun:
    """Nothing could be judged: the suite skips with ``not run: <reason>``."""

    reason: str


@dataclass(frozen=True)
class Plan:
    """The safe routes to send, and why the others are left out."""

    paths: list[str]
    left_out: dict[str, str] = field(default_factory=dict)


def reconnect_plan(routes: Sequence[Route], spec: RoutesSpec, health_path: str) -> Plan:
    """``GET`` routes of the contract plus the health route, ``{param}`` filled from
    ``path_params``; ``ignore`` and ``allow_5xx`` routes are not sent (a known 5xx says
    nothing about the pool, and may close the kept-alive connection)."""
    paths: list[str] = []
    left_out: dict[str, str] = {}
    for route in [*routes, Route("GET", health_path)]:
        path = route.path
        for name, value in spec.path_params.items():
            path = path.replace("{" + name + "}", str(value))
        if route.method != "GET" or path in paths:
            continue
        why = _left_out(route, path, spec)
        if why:
            left_out[str(route)] = why
        else:
            paths.append(path)
    return Plan(paths, left_out)


def _left_out(route: Route, path: str, spec: RoutesSpec) -> str | None:
    if spec.ignored(route):
        return "ignore"
    if spec.allows_5xx(route):
        return "allow_5xx"
    return "a path parameter path_params does not fill" if "{" in path else None


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str | None = None
    retried: bool = False
    exc: Exception | None = None

    @property
    def bad(self) -> bool:
        return self.status is None or self.status >= 500

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        if self.status is not None:
            return msg("reconnect.http", status=self.status)
        return msg("reconnect.no_answer", why=self.error)


def send(http: HttpClient, path: str, headers: Mapping[str, str]) -> Answer:
    """One GET; a transport error other than a timeout is retried once on a new connection."""
    try:
        return Answer(http.get(path, headers=dict(headers), retry=False).status_code)
    except TargetHung as exc:
        return Answer(None, msg("reconnect.never_answered"), exc=exc)
    except TargetUnavailable as exc:
        if isinstance(exc.__cause__, httpx.TimeoutException):
            return Answer(None, msg("reconnect.timed_out"), exc=exc)
    try:
        response = http.request_on_new_connection("GET", path, headers=dict(headers))
    except (TargetUnavailable, TargetHung) as exc:
        cause = exc.__cause__
        why = (
            describe_transport_error(cause) if isinstance(cause, httpx.TransportError) else str(exc)
        )
        return Answer(None, why, retried=True, exc=exc)
    return Answer(response.status_code, retried=True)


@dataclass(frozen=True)
class Warmed:
    path: str
    answer: Answer
    touched: bool


def warm(
    engine: Engine, http: HttpClient, paths: Sequence[str], headers: Mapping[str, str]
) -> tuple[list[Warmed], bool]:
    """Each path once, noting whether the app's sessions did anything meanwhile; and whether
    their activity was hidden from this role. Nothing answered at all: the target is down."""
    before = settled_sessions(engine)
    warmed, hidden = [], before.hidden
    for path in paths:
        answer = send(http, path, headers)
        after = settled_sessions(engine)
        warmed.append(Warmed(path, answer, after.activity_since(before)))
        hidden, before = hidden or after.hidden, after
    if warmed and all(w.answer.status is None for w in warmed):
        failed = warmed[-1].answer.exc
        raise failed if failed is not None else AssertionError("no answer")
    return warmed, hidden


def rewarm(http: HttpClient, paths: Sequence[str], headers: Mapping[str, str]) -> dict[str, Any]:
    """Send the routes again until one round has no 5xx: the app's pool is healthy again."""
    bad: list[str] = []
    for round_no in range(1, REWARM_ROUNDS + 1):
        bad = [f"GET {p}: {a}" for p in paths if (a := send(http, p, headers)).bad]
        if not bad:
            return {"rounds": round_no, "healthy": True}
    return {"rounds": REWARM_ROUNDS, "healthy": False, "still_failing": bad}


def check_db_reconnect(
    engine: Engine, http: HttpClient, plan: Plan, headers: Mapping[str, str],
    app_dir: Path | None = None,
) -> CheckResult | NotRun:  # fmt: skip
    if not plan.paths:
        return NotRun(msg("reconnect.no_route", n=len(plan.left_out)))
    warmed, hidden = warm(engine, http, plan.paths, headers)
    judged = [w.path for w in warmed if w.touched and not w.answer.bad]
    if not judged:
        return NotRun(_nothing_to_judge(warmed, hidden))
    terminated = terminate_idle_app_sessions(engine)
    if not terminated:
        return NotRun(msg("reconnect.no_idle_session", n=len(judged)))
    healthy = [w.path for w in warmed if not w.answer.bad]
    try:
        answers = {path: send(http, path, headers) for path in judged}
    finally:  # however it ends, no dead pooled connection is left for the next item
        again = rewarm(http, healthy, headers)
    evidence = {
        "terminated_sessions": terminated, "answers": {p: a.text() for p, a in answers.items()},
        "retried_on_a_new_connection": [p for p, a in answers.items() if a.retried],
        "not_judged": _not_judged(warmed), "left_out": plan.left_out, "rewarm": again,
    }  # fmt: skip
    return _verdict(answers, terminated, evidence, app_dir)


def _nothing_to_judge(warmed: Sequence[Warmed], hidden: bool) -> str:
    if hidden and not any(w.touched for w in warmed):
        return msg("reconnect.hidden")
    failed = sum(1 for w in warmed if w.answer.bad)
    return msg("reconnect.nothing_to_judge", n=len(warmed), quiet=len(warmed) - failed, failed=failed)


def _not_judged(warmed: Sequence[Warmed]) -> dict[str, str]:
    return {
        f"GET {w.path}": (
            msg("reconnect.bad_before_cut", answer=w.answer.text()) if w.answer.bad else msg("reconnect.no_activity")
        )
        for w in warmed
        if w.answer.bad or not w.touched
    }


def _verdict(
    answers: Mapping[str, Answer], terminated: int, evidence: dict[str, Any], app_dir: Path | None
) -> CheckResult:
    broken = [msg("reconnect.answer", path=path, answer=a.text()) for path, a in answers.items() if a.bad]
    if not broken:
        return CheckResult.passed(ITEM, msg("reconnect.pass", n=len(answers), k=terminated), **evidence)
    sites = engine_sites(app_dir) if app_dir is not None and app_dir.is_dir() else []
    evidence["engine_settings"] = [
        msg("reconnect.engine_setting", setting=s.setting, where=s.where, value=s.pre_ping or msg("reconnect.not_set"))
        for s in sites
    ]
    return CheckResult.failed(
        ITEM, msg("reconnect.fail", n=len(broken), routes=broken), remediation=engine_remedy(sites), **evidence
    )


def engine_remedy(sites: Sequence[EngineSite]) -> str:
    """The remedy at the app's own engine line when its source shows one: the first setting
    that does not plainly turn pre-ping on, else the first one."""
    suspects = [s for s in sites if not s.pings] or list(sites)
    if not suspects:
        return msg(REMEDY_ID)
    site = suspects[0]
    where = {"setting": site.setting, "where": site.where}
    if site.pings:
        return msg("reconnect.remedy_outside_pool", **where)
    if site.pre_ping is None and site.setting.endswith("(...)"):
        return msg("reconnect.remedy_add_call", **where)
    if site.pre_ping is None:
        return msg("reconnect.remedy_add_key", **where)
    return msg("reconnect.remedy_make_true", **where, value=site.pre_ping)
