"""The wallet flow's part of a target profile: ``[targets.NAME.wallet]`` and its sub-tables.

Every route, payload field, table name and tuning knob the wallet checks use is here, with
defaults that fit the reference app, so a real app maps its own names without code::

    [targets.staging.wallet]
    bounty = 7                 # paid per task; the system wallet must hold a few of these
    poll_timeout_s = 10.0      # how long a credit may take to show (async payers)
    [targets.staging.wallet.routes]
    complete = "/api/v2/tasks/{task_id}/done"
    [targets.staging.wallet.fields]
    user_name = "username"
    [targets.staging.wallet.db]
    ledger = "payments.ledger"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

SECTION = "wallet"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True)
class WalletRoutes:
    """Paths; ``{task_id}`` and ``{user_id}`` are filled in. ``supply = ""`` skips supply."""

    create_user: str = "/api/users"
    create_task: str = "/api/tasks"
    accept: str = "/api/tasks/{task_id}/accept"
    complete: str = "/api/tasks/{task_id}/complete"
    balance: str = "/api/wallet/users/{user_id}"
    ledger: str = "/api/wallet/users/{user_id}/ledger"
    supply: str = "/api/wallet/supply"


@dataclass(frozen=True)
class WalletFields:
    """JSON field names in request and response bodies."""

    user_name: str = "name"
    user_email: str = "email"
    task_title: str = "title"
    task_bounty: str = "bounty"
    accept_user: str = "user_id"
    id: str = "id"
    balance: str = "balance"
    ledger_task: str = "task_id"
    ledger_amount: str = "amount"
    supply_total: str = "total"
    supply_circulating: str = "circulating"


@dataclass(frozen=True)
class WalletTables:
    """Where cleanup and the fingerprint look. Columns assumed: users(id, name),
    tasks(id, title), wallets(id, user_id, balance), ledger(wallet_id, task_id, amount),
    supply(total). ``system_wallet`` is an SQL condition on wallets picking the payer."""

    users: str = "users"
    tasks: str = "tasks"
    wallets: str = "wallet.wallets"
    ledger: str = "wallet.ledger_entries"
    supply: str = "wallet.supply"
    system_wallet: str = "user_id IS NULL"


@dataclass(frozen=True)
class WalletSpec:
    bounty: int = 7
    poll_timeout_s: float = 10.0
    poll_interval_s: float = 0.2
    # After a payment shows, wait this long once more so a late duplicate credit shows too.
    settle_s: float = 0.3
    concurrency: int = 10
    refused_statuses: tuple[int, ...] = (409,)
    routes: WalletRoutes = field(default_factory=WalletRoutes)
    fields: WalletFields = field(default_factory=WalletFields)
    db: WalletTables = field(default_factory=WalletTables)


_SUBTABLES = {"routes": WalletRoutes, "fields": WalletFields, "db": WalletTables}


def wallet_spec(target: Target) -> WalletSpec:
    """Read and validate ``[targets.NAME.wallet]``; a bad key is a ``ConfigError`` naming it."""
    return parse_wallet_spec(target.section(SECTION), f"targets.{target.name}.{SECTION}")


def parse_wallet_spec(table: dict[str, Any], where: str) -> WalletSpec:
    defaults = WalletSpec()
    known = {f.name for f in fields(WalletSpec)}
    reject_unknown_keys(table, known, where)
    values: dict[str, Any] = {}
    for name, cls in _SUBTABLES.items():
        values[name] = _strings(cls, table.get(name, {}), f"{where}.{name}")
    values["bounty"] = _number(table, "bounty", defaults.bounty, where, integer=True, minimum=1)
    values["concurrency"] = _number(
        table, "concurrency", defaults.concurrency, where, integer=True, minimum=2
    )
    for key in ("poll_timeout_s", "poll_interval_s", "settle_s"):
        values[key] = float(_number(table, key, getattr(defaults, key), where, minimum=0))
    values["refused_statuses"] = _statuses(table, defaults.refused_statuses, where)
    _check_identifiers(values["db"], f"{where}.db")
    return replace(defaults, **values)


def _strings(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(msg("fcfg.expected_table", where=where, value=repr(table)), hint=msg("fcfg.write_table", where=where))
    reject_unknown_keys(table, {f.name for f in fields(cls)}, where)
    for key, value in table.items():
        if not isinstance(value, str):
            raise ConfigError(msg("fcfg.expected_string", where=where, key=key, value=repr(value)), hint=msg("fcfg.quote_it"))
    return cls(**table)


def _number(
    table: dict[str, Any], key: str, default: float, where: str, *, integer: bool = False,
    minimum: float,
) -> Any:  # fmt: skip
    value = table.get(key, default)
    kinds = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        kind = msg("fcfg.kind.integer") if integer else msg("fcfg.kind.number")
        raise ConfigError(
            msg("fcfg.expected_at_least", where=where, key=key, kind=kind, minimum=f"{minimum:g}", value=repr(value)),
            hint=msg("fcfg.fix_in_targets", key=key),
        )
    return value


def _statuses(table: dict[str, Any], default: tuple[int, ...], where: str) -> tuple[int, ...]:
    value = table.get("refused_statuses", list(default))
    if not isinstance(value, list) or not value or not all(
        isinstance(v, int) and 400 <= v < 500 for v in value
    ):
        raise ConfigError(
            msg("fcfg.refused_statuses", where=where, value=repr(value)), hint=msg("fcfg.refused_example"),
        )
    return tuple(value)


def _check_identifiers(tables: WalletTables, where: str) -> None:
    # Table names are put into SQL text, so only plain (schema.)identifiers are accepted.
    for f in fields(WalletTables):
        value = getattr(tables, f.name)
        if f.name != "system_wallet" and not _IDENTIFIER.match(value):
            raise ConfigError(
                msg("fcfg.not_table_name", where=where, key=f.name, value=repr(value)), hint=msg("fcfg.table_name_example"),
            )
