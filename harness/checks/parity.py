"""Parity: two live environments of one backend, compared read-only, each difference named.

"It works on staging, not in production": pgvector enabled on one only, a migration applied
on one, a route behind a proxy rule that exists in one environment, a column added by hand.
Each side is read (never written: read-only connections, GET requests) for its facts — the
Alembic revision, the PostgreSQL and extension versions, the health body's version field,
how soon its TLS certificate expires — its catalog (the comparison schema-drift uses) and
its route list (OpenAPI). A difference is a message id with parameters, rendered in English
or Japanese (``render``), and says which side has what.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from harness.checks.catalog import Snapshot, app_schemas, cut, snapshot
from harness.checks.migrations import read_db_revisions
from harness.checks.reconnect import NotRun
from harness.checks.routelist import routes_from_openapi, routes_spec
from harness.config.database import database_spec
from harness.config.parity import Accepted
from harness.config.targets import Target
from harness.errors import TargetUnreachable
from harness.messages.core import Message, msg
from harness.result import CheckResult
from harness.transport.db import database_errors, make_engine
from harness.transport.http import describe_transport_error, transport_cause
from harness.transport.tls import peer_certificate, tls_spec

VERSION_FIELDS = ("version", "git_sha", "commit", "revision", "build", "release")
TLS_SOON_DAYS = 14.0




@dataclass(frozen=True)
class Difference:
    message: str  # a parity.* id of the catalog, without its prefix
    subject: str  # how a person names the object: "extension vector", "GET /api/wallet"
    a: str
    b: str
    x: str = ""
    y: str = ""

    def render(self, lang: str = "en") -> str:
        return self.as_message().render(lang)

    def as_message(self) -> Message:
        return message(self.message, subject=self.subject, a=self.a, b=self.b, x=self.x, y=self.y)

    def to_dict(self) -> dict[str, str]:
        return {"message": self.message, "subject": self.subject, "a": self.a, "b": self.b,
                "x": self.x, "y": self.y, "text": self.render("en")}  # fmt: skip


def message(message_id: str, **params: Any) -> Message:
    """A parity message (catalog ``parity.*``); an empty side says "none" in its language."""
    none = Message("parity.none")
    return Message(f"parity.{message_id}", **{k: (none if v in ("", None) else v) for k, v in params.items()})


def render(message_id: str, lang: str, **params: Any) -> str:
    return message(message_id, **params).render(lang)


@dataclass
class Side:
    name: str
    facts: dict[str, str] = field(default_factory=dict)
    catalog: Snapshot | None = None
    routes: set[str] | None = None
    tls_days_left: float | None = None


def read_side(target: Target) -> Side:
    """Everything parity compares, read from one target without writing anything."""
    side = Side(target.name)
    if target.database_url:
        _read_database(target, side)
    if target.base_url:
        _read_http(target, side)
    return side


def _read_database(target: Target, side: Side) -> None:
    assert target.database_url
    spec, engine = database_spec(target), make_engine(target.database_url)
    try:
        with database_errors(engine), engine.connect() as connection:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            side.facts["PostgreSQL"] = str(
                connection.exec_driver_sql("SHOW server_version").scalar()
            )
            revisions = read_db_revisions(connection, spec)
            side.facts["Alembic revision"] = ", ".join(revisions or [])
            side.catalog = snapshot(connection, app_schemas(connection))
    finally:
        engine.dispose()
    for name, version in (side.catalog or {}).get("extensions", {}).items():
        side.facts[f"extension {name}"] = str(version)


def _read_http(target: Target, side: Side) -> None:
    assert target.base_url
    try:
        _read_served(target, side)
    except httpx.TransportError as exc:
        raise TargetUnreachable(
            msg("probe.unreachable", url=f"{target.name}: {target.base_url}", reason=describe_transport_error(exc)),
            hint=msg("http.check_hint"),
            cause=transport_cause(exc),
        ) from exc


def _read_served(target: Target, side: Side) -> None:
    assert target.base_url
    verify = tls_spec(target).httpx_verify()
    with httpx.Client(base_url=target.base_url, timeout=target.timeout_s, verify=verify) as client:
        openapi = routes_spec(target).openapi_path
        if openapi:
            answer = client.get(openapi)
            if answer.status_code == 200:
                side.routes = {str(route) for route in routes_from_openapi(answer.json())}
        health = client.get(target.health.path)
        side.facts["health version"] = _version_field(health)
    certificate = peer_certificate(target.base_url, tls_spec(target))
    if certificate is not None:
        side.tls_days_left = round(certificate.days_left(), 1)


def _version_field(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return ""
    if not isinstance(body, dict):
        return ""
    return next((str(body[key]) for key in VERSION_FIELDS if body.get(key) not in (None, "")), "")


def compare_sides(a: Side, b: Side) -> list[Difference]:
    return [*_facts(a, b), *_catalogs(a, b), *_routes(a, b), *_tls(a, b)]


def _facts(a: Side, b: Side) -> Iterator[Difference]:
    for key in sorted(set(a.facts) | set(b.facts)):
        x, y = a.facts.get(key, ""), b.facts.get(key, "")
        both = (key in a.facts and key in b.facts) or key.startswith("extension")
        if both and x != y:
            yield Difference("fact", key, a.name, b.name, x, y)


def _catalogs(a: Side, b: Side) -> Iterator[Difference]:
    if a.catalog is None or b.catalog is None:
        return
    for kind in sorted(set(a.catalog) | set(b.catalog)):
        if kind == "extensions":  # facts say it, with the versions
            continue
        mine, theirs = a.catalog.get(kind, {}), b.catalog.get(kind, {})
        for label in sorted(set(mine) | set(theirs)):
            if label not in theirs:
                yield Difference("only", label, a.name, b.name, _cut(mine[label]))
            elif label not in mine:
                yield Difference("only", label, b.name, a.name, _cut(theirs[label]))
            elif mine[label] != theirs[label]:
                yield Difference(
                    "differs", label, a.name, b.name, _cut(mine[label]), _cut(theirs[label])
                )


def _routes(a: Side, b: Side) -> Iterator[Difference]:
    if a.routes is None or b.routes is None:
        return
    for route in sorted(a.routes - b.routes):
        yield Difference("only", f"route {route}", a.name, b.name, "served")
    for route in sorted(b.routes - a.routes):
        yield Difference("only", f"route {route}", b.name, a.name, "served")


def _tls(a: Side, b: Side) -> Iterator[Difference]:
    for one, other in ((a, b), (b, a)):
        days = one.tls_days_left
        if (
            days is not None
            and days < TLS_SOON_DAYS
            and (other.tls_days_left or 1e9) >= TLS_SOON_DAYS
        ):
            yield Difference("tls_soon", "TLS certificate", one.name, other.name, f"{days:g}",
                             f"{other.tls_days_left:g}" if other.tls_days_left is not None else "")  # fmt: skip


def _cut(definition: str) -> str:
    return cut(definition or "exists", 160)


def split_accepted(
    differences: list[Difference], ignore: tuple[Accepted, ...], today: date
) -> tuple[list[Difference], list[tuple[Difference, Accepted]]]:
    """The differences that count, and those ``[parity] ignore`` accepts (until its date)."""
    found, accepted = [], []
    for difference in differences:
        waiver = next((w for w in ignore if w.covers(difference.subject, today)), None)
        if waiver is None:
            found.append(difference)
        else:
            accepted.append((difference, waiver))
    return found, accepted


def check_parity(
    target: Target, counterpart: Target, ignore: tuple[Accepted, ...], today: date
) -> CheckResult | NotRun:
    """The ``parity`` item: every unaccepted difference between the two sides is a finding.
    Nothing both sides could be read for is "not run", never a pass."""
    mine, theirs = read_side(target), read_side(counterpart)
    compared = _compared(mine, theirs)
    if not compared:
        return NotRun(message("nothing", a=target.name, b=counterpart.name))
    found, accepted = split_accepted(compare_sides(mine, theirs), ignore, today)
    evidence: dict[str, Any] = {"compared": compared}
    if accepted:
        evidence["accepted"] = [
            message("accepted", difference=d.as_message(),
                    note=message("ignored", until=w.until.isoformat(), who=w.who, reason=w.reason))
            for d, w in accepted
        ]
    names = {"a": target.name, "b": counterpart.name}
    if not found:
        return CheckResult.passed("parity", message("agree", **names, what=compared), **evidence)
    return CheckResult.failed(
        "parity",
        message("disagree", **names, n=len(found), first=found[0].as_message()),
        remediation=message("remedy", **names),
        differences=[d.as_message() for d in found],
        **evidence,
    )  # fmt: skip


def _compared(a: Side, b: Side) -> list[str]:
    """What both sides could be read for: a comparison that read nothing proves nothing."""
    parts: list[str] = [key for key in ("Alembic revision", "PostgreSQL", "health version") if key in a.facts and key in b.facts]
    if a.catalog is not None and b.catalog is not None:
        parts.append("catalog")
    if a.routes is not None and b.routes is not None:
        parts.append(f"routes ({len(a.routes)} and {len(b.routes)})")
    return parts
