"""Keeping passwords and tokens out of output, reports and Allure files.

Every secret the harness learns (a database password, a bearer token, a login password) is
registered here; ``redact`` replaces each with ``***`` in any text about to leave the
process. ``mask_url`` hides the password part of a URL even before it is registered.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
# A cut, an escape or a stripped tag leaves pieces of a secret, not the whole: any run of at
# least this many characters of a registered secret is masked too (a 30-character prefix of
# a token, the half of a token on one side of a JSON-escaped quote).
MIN_RUN = 8
_registered: set[str] = set()
# Secrets whose every run of MIN_RUN characters is masked too: tokens (random, echoed back,
# cut and escaped in bodies). Passwords are masked whole: a person's password may hold a
# word ("password", "postgres") that the report must still be able to say.
_pieces: set[str] = set()


def register_secret(value: str | None, *, pieces: bool = False) -> None:
    """Remember a secret so ``redact`` scrubs it. Very short values are ignored: masking
    every "a" in a report would hide more than it protects."""
    if value and "://" in value:  # a URL: its password, never its scheme and host
        password = urlsplit(value).password if "@" in value else None
        if password:
            register_secret(password)
            register_secret(unquote(password))
        return
    if value and len(value) >= 4:
        _registered.add(value)
        # The forms it takes inside a JSON string and in HTML, whole.
        _registered.update(form for form in _escaped_forms(value) if form != value)
        if pieces:
            _pieces.add(value)


def _escaped_forms(value: str) -> set[str]:
    return {json.dumps(value)[1:-1], html.escape(value), html.escape(value, quote=False)}


def redact(text: str) -> str:
    """Replace every registered secret, every run of ``MIN_RUN``+ characters of one, and
    every URL password in ``text``."""
    if _registered and text:
        text = _mask_runs(text, frozenset(_registered), frozenset(_pieces))
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


def _mask_runs(text: str, secrets: frozenset[str], pieces: frozenset[str]) -> str:
    pattern, out, pos = _runs_pattern(secrets, pieces), [], 0
    while (match := pattern.search(text, pos)) is not None:
        out += [text[pos : match.start()], MASK]
        pos = _run_end(text, match, pieces)
    return "".join(out) + text[pos:] if out else text


@lru_cache(maxsize=8)
def _runs_pattern(secrets: frozenset[str], tokens: frozenset[str]) -> re.Pattern[str]:
    """Any secret whole (longest first) or any ``MIN_RUN``-character piece of a token."""
    whole = sorted(secrets, key=len, reverse=True)
    pieces = {
        s[i : i + MIN_RUN] for s in tokens if len(s) > MIN_RUN for i in range(len(s) - MIN_RUN + 1)
    }
    return re.compile("|".join(re.escape(s) for s in [*whole, *sorted(pieces - set(whole))]))


def _run_end(text: str, match: re.Match[str], secrets: frozenset[str]) -> int:
    """Widen a matched piece to the longest run of a secret that continues in ``text``."""
    start, longest = match.start(), match.end()
    for secret in secrets:
        at = secret.find(match.group())
        while at >= 0:
            stop = match.end()
            while (
                stop < len(text)
                and at + stop - start < len(secret)
                and text[stop] == secret[at + stop - start]
            ):
                stop += 1
            longest = max(longest, stop)
            at = secret.find(match.group(), at + 1)
    return longest


# scheme://user:password@host — the password may hold anything but "@" and whitespace.
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)[^@\s]+@")


def mask_url(url: str | None) -> str | None:
    """``postgresql://app:s3cret@db/x`` → ``postgresql://app:***@db/x``."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo = f"{parts.username or ''}:{MASK}"
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{userinfo}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def clip(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, masked before the cut (a cut first would
    leave a piece of a secret too short to recognise)."""
    return redact(text)[:limit]


def known_secrets() -> list[str]:
    """The registered values, for handing from an xdist worker to the controller (in memory,
    over xdist's channel: never through a file)."""
    return sorted(_registered)


def known_tokens() -> list[str]:
    """The secrets masked piece by piece too (``register_secret(..., pieces=True)``)."""
    return sorted(_pieces)


def redact_value(value: Any) -> Any:
    """``redact`` through nested dicts, lists and tuples (evidence a check recorded)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    return value


def forget_all() -> None:
    """For tests: start from an empty registry."""
    _registered.clear()
    _pieces.clear()
