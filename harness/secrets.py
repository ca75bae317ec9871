"""Keeping passwords and tokens out of output, reports and Allure files.

Every secret the harness learns (a database password, a bearer token, a login password) is
registered here; ``redact`` replaces each with ``***`` in any text about to leave the
process. ``mask_url`` hides the password part of a URL even before it is registered.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret so ``redact`` scrubs it. Very short values are ignored: masking
    every "a" in a report would hide more than it protects."""
    if value and len(value) >= 4:
        _registered.add(value)


def redact(text: str) -> str:
    """Replace every registered secret and every URL password in ``text``."""
    for secret in sorted(_registered, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


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


def known_secrets() -> list[str]:
    """The registered values, for handing from an xdist worker to the controller (in memory,
    over xdist's channel: never through a file)."""
    return sorted(_registered)


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
