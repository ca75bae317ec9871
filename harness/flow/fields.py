"""Typed reads of a flow declaration's TOML values: one ConfigError line naming the key."""

from __future__ import annotations

import re
from typing import Any

from harness.errors import ConfigError
from harness.messages.core import msg

_PLACEHOLDER = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")


def table_of(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(msg("fcfg.expected_table", where=where, value=repr(value)), hint=msg("fcfg.write_table", where=where))
    return value


def list_of(table: dict[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(
            msg("fcfg.expected_list", where=where, key=key, value=repr(value)), hint=msg("fcfg.write_list", key=key)
        )
    return value


def str_of(table: dict[str, Any], key: str, where: str, default: str | None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ConfigError(msg("fcfg.expected_string", where=where, key=key, value=repr(value)), hint=msg("fcfg.set_key", key=key))
    return value


def int_of(
    table: dict[str, Any], key: str, where: str, default: int | None, *, minimum: int
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            msg("fcfg.expected_int", where=where, key=key, minimum=minimum, value=repr(value)), hint=msg("fcfg.set_key", key=key)
        )
    return value


def float_of(table: dict[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            msg("fcfg.expected_seconds", where=where, key=key, value=repr(value)), hint=msg("fcfg.set_key", key=key)
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
            msg("fcfg.expected_statuses", where=where, key=key, value=repr(value)), hint=msg("fcfg.statuses_example", key=key),
        )
    return tuple(value)


def amount_of(table: dict[str, Any], key: str, where: str) -> int | str:
    """A non-zero integer (negative: a debit), or exactly one placeholder such as ``"{price}"``."""
    value = table.get(key)
    if isinstance(value, str) and _PLACEHOLDER.fullmatch(value):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ConfigError(
            msg("fcfg.bad_amount", where=where, key=key, value=repr(value)), hint=msg("fcfg.amount_hint"),
        )
    return value


def no_server_errors(statuses: tuple[int, ...], where: str) -> tuple[int, ...]:
    """Statuses a flow may expect: a 5xx is always a finding, never an expected answer."""
    server_errors = [s for s in statuses if s >= 500]
    if server_errors:
        raise ConfigError(
            msg("fcfg.server_error_expected", where=where, status=server_errors[0]), hint=msg("fcfg.only_2xx_4xx"),
        )
    return statuses
