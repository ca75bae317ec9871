"""The ``[health]`` init writes: a route the app really serves, and what to expect of it.

A route named like a health check wins; else a cheap parameterless GET stands in (``/``
first), with a TODO saying so. What to expect comes from the endpoint's literal return
values (harness.init.probe) or, when init saw the served app, from its real answer: a JSON
status, a short text, or, for an HTML page, nothing but the status (``status_only``).
Where the served app showed that stand-in answering something else than 200, the next
route that does stands in: the page a redirect leads to, else (a token needed) the API's
own document (``/openapi.json``, ``/docs``) or another cheap GET. Never a path the app does
not serve; when none answered 200, a TODO names what was tried.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from harness.init.app_probe import Served, health_route
from harness.init.probe import HTML

_OK = ("ok", "healthy", "up", "pass", "alive", "OK")
_HEALTH_WORDS = re.compile(r"health|healthz|livez|readyz|ping|status")
# The API's own description: served without a token by every framework that serves one.
_DOCUMENTS = re.compile(r"(openapi|swagger)[\w.-]*\.json$|/docs/?$")
_TRIED = 6  # cheap GETs asked of the served app, shortest first


@dataclass
class HealthChoice:
    path: str
    expect: Any = None
    status_only: bool = False
    todo: str | None = None


@dataclass(frozen=True)
class LiveAnswer:
    """What a GET of a route answered on the served app."""

    status: int
    content_type: str
    text: str
    location: str | None = None


def parameterless_gets(served: Served) -> list[str]:
    gets = {r.path for r in served.routes if r.method == "GET" and "{" not in r.path}
    return sorted(gets, key=lambda p: (p != "/", len(p), p))


def health_candidates(served: Served) -> list[str]:
    """What init asks the served app: routes named like a health check, the first cheap
    GETs, and the API's document (FastAPI serves ``/docs`` beside it)."""
    gets = parameterless_gets(served)
    documents = [served.openapi_path] if served.openapi_path else []
    documents += [p for p in gets if _DOCUMENTS.search(p)]
    documents += ["/docs"] if served.framework in ("fastapi", "starlette") else []
    named = [p for p in gets if _HEALTH_WORDS.search(p)]
    return list(dict.fromkeys(named + gets[:_TRIED] + documents))


def choose_health(served: Served, live: dict[str, LiveAnswer] | None = None) -> HealthChoice:
    path, _ = health_route(served)
    if path is not None:
        return _judged(path, served, live, stand_in=False)
    gets = parameterless_gets(served)
    if not gets:
        return HealthChoice(
            "/", status_only=True,
            todo="the app serves no GET route without parameters: / stands in for its health "
            "route and will answer 404; set [health] path to a route that says it is up",
        )  # fmt: skip
    first = (live or {}).get(gets[0])
    if live and first is not None and first.status != 200:
        return instead_of(gets[0], first, served, live)
    return _judged(gets[0], served, live, stand_in=True)


def instead_of(
    path: str, answer: LiveAnswer, served: Served, live: dict[str, LiveAnswer]
) -> HealthChoice:
    """The stand-in when ``path`` answered ``answer`` (not 200): where its redirect leads,
    else the first candidate answering 200 without a token (the API's document first)."""
    target = same_app_path(answer.location) if 300 <= answer.status < 400 else None
    documents = [p for p in health_candidates(served) if _DOCUMENTS.search(p)]
    order = [target] if target else []
    order += documents + [p for p in health_candidates(served) if p not in documents]
    for other in order:
        seen = live.get(other) if other != path else None
        if seen is not None and seen.status == 200:
            # The API's document says nothing of the app's health (and may be long): its status.
            document = other in documents
            choice = HealthChoice(other, status_only=True) if document else from_answer(other, seen)
            how = f"redirects ({answer.status}) to {other}" if other == target else (
                f"answers {answer.status} without a token"
            )  # fmt: skip
            what = (
                "its body is judged" if not choice.status_only
                else "an HTML page: only its status is judged" if "html" in seen.content_type
                else "only its status is judged"
            )  # fmt: skip
            choice.todo = choice.todo or (
                f"no health route, and GET {path} {how}: GET {other} stands in ({what}); add a "
                "health route to the app and set [health] path to it to check more"
            )
            return choice
    if 300 <= answer.status < 400:  # nowhere it leads answers: a setup page's redirect?
        return from_answer(path, answer)
    tried = ", ".join(f"{p} {live[p].status}" for p in dict.fromkeys([path, *order]) if p in live)
    return HealthChoice(
        path, status_only=True,
        todo=f"no health route, and no route init tried answers 200 without a token ({tried}): "
        "set [health] path to a route that says the app is up",
    )  # fmt: skip


def same_app_path(location: str | None) -> str | None:
    """The path a redirect leads to on the same app (a relative or loopback ``Location``)."""
    if not location:
        return None
    parts = urlsplit(location)
    if parts.netloc and parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    return parts.path or None


def _judged(
    path: str, served: Served, live: dict[str, LiveAnswer] | None, *, stand_in: bool
) -> HealthChoice:
    answer = (live or {}).get(path)
    choice = from_answer(path, answer) if answer else from_source(path, served.bodies.get(path, []))
    if stand_in and choice.todo is None:
        what = (
            "an HTML page: only its status is judged"
            if choice.status_only
            else "its body is judged"
        )
        choice.todo = (
            f"no health route: GET {path} stands in ({what}); add a health route to the app "
            "and set [health] path to it to check more"
        )
    return choice


def from_source(path: str, bodies: list[Any]) -> HealthChoice:
    """From the literal values the endpoint returns."""
    literal = [b for b in bodies if b not in ({}, None, HTML)]
    expect = _expectation(literal)
    if expect is not None:
        return HealthChoice(path, expect)
    if HTML in bodies:
        return HealthChoice(path, status_only=True)
    return HealthChoice(
        path, status_only=True,
        todo=f"could not read what {path} answers from its source: only its status is judged "
        '(status_only = true); to judge the body, replace it with expect = {"status": "ok"} or what it returns',
    )  # fmt: skip


def from_answer(path: str, answer: LiveAnswer) -> HealthChoice:
    """From what the served app answered (init saw it running)."""
    if 300 <= answer.status < 400:
        return HealthChoice(
            path, status_only=True,
            todo=f"GET {path} answers {answer.status}, a redirect to {answer.location or '?'} "
            "(a fresh app sending every path to its setup page?): health and the routes will "
            "answer it too until the app is set up; add its setup/seed command to [app] migrate",
        )  # fmt: skip
    if answer.status != 200:
        return HealthChoice(
            path, status_only=True,
            todo=f"GET {path} answered {answer.status} on the app init started: set [health] path "
            "to a route that answers 200",
        )  # fmt: skip
    if "html" in answer.content_type:
        return HealthChoice(path, status_only=True)
    try:
        body = json.loads(answer.text)
    except ValueError:
        body = answer.text.strip()
    expect = _expectation([body])
    if expect is not None:
        return HealthChoice(path, expect)
    return (
        HealthChoice(path, {}) if isinstance(body, dict) else HealthChoice(path, status_only=True)
    )


def _expectation(bodies: list[Any]) -> Any:
    """A JSON status that says ok, ``true``, or a short text ("ok")."""
    for body in bodies:
        if isinstance(body, dict) and body.get("status") in _OK:
            return {"status": body["status"]}
    for body in bodies:
        if body is True or (isinstance(body, str) and 0 < len(body) <= 40 and "<" not in body):
            return body
    return None
