"""Re-reading routes-reachable's answers as a whole: what one answer cannot tell.

**Credentials that do not reach a prefix** (issue 25.1). A proxy that clears ``Authorization``
on one location makes the app answer 401 there, although the login's token works elsewhere:
each 401 alone looks like "the app answered, it wants a login". Where a witness route proved
the credentials work (``harness.checks.witness``), two or more routes under a path prefix
answered the app's 401 with those credentials and none there answered anything that shows
they arrived (only 405/422, which FastAPI gives before its auth dependency runs), the
credentials do not reach that prefix. A single route answering 401 (a refresh route
wanting another token) is left as the app's answer.

**Redirects off the base URL** (issue 25.2). A 3xx whose Location points to another origin is
not the app answering. When most routes (and at least two) are sent away like that, base_url
points at the wrong place (an old host, http instead of https): those routes are not
reachable. One route redirecting off-site (an OAuth login sending to its provider) is left as
the app's answer.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from harness.checks.routelist import Route

NO_CREDENTIALS = "no-credentials"
REDIRECT = "redirect"


@dataclasses.dataclass(frozen=True)
class Finding:
    lead: str  # leads the item's summary
    remedy: str


class _Answer(Protocol):
    @property
    def route(self) -> Any: ...
    @property
    def verdict(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def location(self) -> str | None: ...


A = TypeVar("A", bound=_Answer)


# ---------------------------------------------------------------- credentials


def folders(path: str) -> list[str]:
    """The static folders a route lives under, shortest first: /api/v1/items/{id} →
    /api, /api/v1, /api/v1/items (a parameter ends the walk)."""
    parts = [p for p in path.split("/") if p]
    out: list[str] = []
    for index in range(1, len(parts)):
        if "{" in parts[index - 1] or "<" in parts[index - 1]:
            break
        out.append("/" + "/".join(parts[:index]))
    return out


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


# Answers that say nothing about the credentials: FastAPI parses a body (and a typed path
# value) before the auth dependency runs, so a malformed-body probe gets 422 either way.
NEUTRAL = frozenset({405, 422})


def _refused(answer: _Answer) -> bool:
    return answer.verdict == "app" and answer.status == 401


def refused_prefixes(answers: Sequence[A], witness_path: str) -> list[str]:
    """The shortest folders where two or more routes answered the app's 401 with the
    credentials and no route answered anything that proves they arrived (2xx, 403, its 404),
    the witness route not among them."""
    found: list[str] = []
    for answer in filter(_refused, answers):
        for prefix in folders(answer.route.path):
            if any(_under(answer.route.path, f) for f in found):
                break
            inside = [a for a in answers if _under(a.route.path, prefix)]
            if (
                sum(map(_refused, inside)) >= 2
                and not _under(witness_path, prefix)
                and all(_refused(a) or (a.verdict == "app" and a.status in NEUTRAL) for a in inside)
            ):
                found.append(prefix)
                break
    return found


def mark_refused(answers: list[A], witness_path: str) -> tuple[list[A], list[str]]:
    """The answers with each route under a refused prefix marked ``no-credentials``."""
    prefixes = refused_prefixes(answers, witness_path)
    if not prefixes:
        return answers, []
    marked = []
    for answer in answers:
        if _refused(answer) and any(_under(answer.route.path, p) for p in prefixes):
            detail = f"{answer.detail} to the credentials GET {witness_path} accepts"
            answer = dataclasses.replace(answer, verdict=NO_CREDENTIALS, detail=detail)  # type: ignore[type-var]
        marked.append(answer)
    return marked, prefixes


def refused(prefixes: list[str], witness_path: str) -> Finding:
    where = ", ".join(f"{p}/" for p in prefixes)
    return Finding(f"credentials do not reach the routes under {where}", (
        f"the app answers 401 under {where} to the credentials "
        f"GET {witness_path} accepts, so something between the harness and the app drops the "
        f"Authorization header there: make the proxy/ingress location for {where} pass it on "
        "(nginx: no proxy_set_header Authorization \"\" there), or check the auth that prefix expects"
    ))


# ---------------------------------------------------------------- base_url


def doubled_prefix(base_url: str, routes: list[Route]) -> str | None:
    """base_url ``https://h/api`` + route ``/api/x`` requests ``/api/api/x``: say so."""
    prefix = urlsplit(base_url).path.rstrip("/")
    if prefix and any(r.path == prefix or r.path.startswith(prefix + "/") for r in routes):
        return (
            f"base_url already ends with {prefix} and the routes start with it, so {prefix}{prefix}/... "
            f"was requested: drop {prefix} from base_url"
        )
    return None


# ---------------------------------------------------------------- redirects


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def off_site(base_url: str, location: str | None) -> str | None:
    """The absolute Location when it points to another origin than base_url's; else None."""
    if not location:
        return None
    absolute = urljoin(base_url.rstrip("/") + "/", location)
    return absolute if origin(absolute) != origin(base_url) else None


def mark_redirects(answers: list[A], base_url: str) -> tuple[list[A], str | None]:
    """Routes sent to another origin, when most routes are: ``redirect``; returns the origin
    most of them point to (None when the sweep was not sent away)."""
    away = [off_site(base_url, a.location) if a.verdict == "app" else None for a in answers]
    sent_away = [url for url in away if url]
    if len(sent_away) < 2 or 2 * len(sent_away) < len(answers):
        return answers, None
    target = Counter(origin(url) for url in sent_away).most_common(1)[0][0]
    marked = []
    for answer, url in zip(answers, away, strict=True):
        if url:
            detail = f"HTTP {answer.status}, a redirect to {url}, not an answer from the app"
            answer = dataclasses.replace(answer, verdict=REDIRECT, detail=detail)  # type: ignore[type-var]
        marked.append(answer)
    return marked, target


def redirected(base_url: str, target: str) -> Finding:
    return Finding(f"{base_url} redirects the routes to another address, {target}", (
        f"base_url may be wrong: {base_url} sends the routes to {target} (an old host, http "
        "instead of https, a login gateway): set base_url to the address that answers the "
        "routes itself"
    ))
