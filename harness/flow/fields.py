"""Typed reads of a flow declaration's TOML values: one ConfigError line naming the key."""

from __future__ import annotations

import re
from typing import Any

from harness.errors import ConfigError

_PLACEHOLDER = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")


def table_of(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}.", hint=f"write [{where}]")
    return value


def list_of(table: dict[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(
            f"{where}.{key}: expected a list, got {value!r}.", hint=f"write {key} = [...]"
        )
    return value


def str_of(table: dict[str, Any], key: str, where: str, default: str | None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ConfigError(f"{where}.{key}: expected a string, got {value!r}.", hint=f"set {key}")
    return value


def int_of(
    table: dict[str, Any], key: str, where: str, default: int | None, *, minimum: int
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            f"{where}.{key}: expected an integer >= {minimum}, got {value!r}.", hint=f"set {key}"
        )
    return value


def float_of(table: dict[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            f"{where}.{key}: expected a number >= 0, got {value!r}.", hint=f"set {key}"
        )
    return float(value)


def statuses_of(
    table: dict[str, Any], key: str, where: str, default: tuple[int, ...]
) -> tuple[int, ...]:
    value = table.get(key, list(default))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and 100 <= v < 600 for v in value)
    ):
        raise ConfigError(
            f"{where}.{key}: expected a list of HTTP statuses, got {value!r}.",
            hint=f"e.g. {key} = [409]",
        )
    return tuple(value)


def amount_of(table: dict[str, Any], key: str, where: str) -> int | str:
    """A non-zero integer (negative: a debit), or exactly one placeholder such as ``"{price}"``."""
    value = table.get(key)
    if isinstance(value, str) and _PLACEHOLDER.fullmatch(value):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ConfigError(
            f"{where}.{key}: expected a non-zero integer or one captured value such as "
            f'"{{price}}", got {value!r}.',
            hint="the balance move the flow must cause (negative for a debit)",
        )
    return value


def no_server_errors(statuses: tuple[int, ...], where: str) -> tuple[int, ...]:
    """Statuses a flow may expect: a 5xx is always a finding, never an expected answer."""
    server_errors = [s for s in statuses if s >= 500]
    if server_errors:
        raise ConfigError(
            f"{where}: {server_errors[0]} is a server error, which always fails the flow's item.",
            hint="list only the 2xx/4xx answers the app should give",
        )
    return statuses
