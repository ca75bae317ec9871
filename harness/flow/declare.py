"""Declared flows: ``[targets.NAME.flows.FLOW]`` (or ``include = "flows/FLOW.toml"``).

A flow is data: HTTP steps with templated JSON bodies and JSON-pointer captures, the
account it pays and how to read a balance, the invariants that must hold afterwards (each
proving a checklist item), and where its rows live so cleanup and the janitor find them::

    [targets.ledger.flows.ledger]
    include = "flows/ledger.toml"      # relative to targets.toml; keys here win

A profile that declares flows runs them instead of the built-in wallet flow (README
"Map your own flow" shows both apps).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.flow.fields import (
    amount_of,
    float_of,
    int_of,
    list_of,
    no_server_errors,
    statuses_of,
    str_of,
    table_of,
)
from harness.messages.core import msg

SECTION = "flows"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_POINTER = re.compile(r"^(/([^~/]|~[01])*)*$")


@dataclass(frozen=True)
class Step:
    """One HTTP request. ``path`` and ``json`` are templated: ``{run_tag}``, ``{nonce}``,
    ``{uuid}`` (one per flow instance), ``{unique}`` (a new value for every request sent, so
    each request of a burst differs), any earlier capture; ``capture`` maps a name to a JSON
    pointer into the answer. ``expect`` never holds a 5xx: a server error is a finding."""

    name: str
    method: str
    path: str
    json: Any = None
    expect: tuple[int, ...] = (200, 201)
    capture: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BalanceRead:
    """How to read an account's balance: over HTTP (path + pointer) or SQL (``:account``)."""

    path: str = ""
    pointer: str = "/balance"
    sql: str = ""


@dataclass(frozen=True)
class Replay:
    """Re-send ``step`` ``times`` times: each must be refused. Without ``json`` the very
    same request; with it, another body in the same flow instance (so the same ``{nonce}``)."""

    item: str
    step: str
    refused: tuple[int, ...] = (409,)
    times: int = 1
    json: Any = None


@dataclass(frozen=True)
class Burst:
    """``bursts`` rounds of ``concurrency`` identical ``step`` requests: each round pays once.
    Defaults measured on ledger_app's check_then_insert_race (README)."""

    item: str
    step: str
    concurrency: int = 10
    bursts: int = 5


@dataclass(frozen=True)
class SqlInvariant:
    """A query whose single value must equal ``expect`` after the flow."""

    name: str
    item: str
    query: str
    expect: Any


@dataclass(frozen=True)
class RowTable:
    """Where the flow's rows are: tagged in ``tag_columns`` and/or with ids captured under
    ``ids`` (a capture name) in ``id_column``. Cleanup and the janitor delete them."""

    table: str
    tag_columns: tuple[str, ...] = ()
    id_column: str = "id"
    ids: str = ""


@dataclass(frozen=True)
class FlowSpec:
    name: str
    where: str
    item: str
    beneficiary: str
    # How far the beneficiary's balance must move (negative: a debit), or "{name}": a value
    # captured from the server's answer (e.g. the price the app charged).
    amount: int | str
    balance: BalanceRead
    steps: tuple[Step, ...]
    payments_sql: str = ""
    watch: tuple[str, ...] = ()
    replay: Replay | None = None
    burst: Burst | None = None
    sql_invariants: tuple[SqlInvariant, ...] = ()
    rows: tuple[RowTable, ...] = ()
    poll_timeout_s: float = 5.0
    poll_interval_s: float = 0.1
    settle_s: float = 0.2

    def items(self) -> list[str]:
        """Every checklist item this flow proves, in declaration order."""
        found = [self.item]
        found += [x.item for x in (self.replay, self.burst) if x is not None]
        found += [s.item for s in self.sql_invariants]
        return list(dict.fromkeys(found))

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


_TOP = {
    "include", "item", "beneficiary", "amount", "balance", "steps", "payments_sql", "watch",
    "replay", "burst", "sql_invariants", "rows", "poll_timeout_s", "poll_interval_s", "settle_s",
}  # fmt: skip


def flows_spec(target: Target) -> list[FlowSpec]:
    """Every declared flow of ``target`` (none: the built-in wallet flow runs instead)."""
    where = f"targets.{target.name}.{SECTION}"
    section = target.section(SECTION)
    flows = []
    for name, table in section.items():
        if not isinstance(table, dict):
            raise ConfigError(msg("fcfg.flow_table", where=f"{where}.{name}"), hint=msg("fcfg.write_table", where=f"{where}.{name}"))
        flows.append(
            parse_flow(
                name, _with_include(table, target.base_dir, f"{where}.{name}"), f"{where}.{name}"
            )
        )
    return flows


def _with_include(table: dict[str, Any], base: Path, where: str) -> dict[str, Any]:
    include = table.get("include")
    if include is None:
        return table
    path = base / str(include)
    try:
        included = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            msg("fcfg.include_unreadable", where=where, path=path, error=exc), hint=msg("fcfg.fix_path")
        ) from None
    return {**included, **{k: v for k, v in table.items() if k != "include"}}


def parse_flow(name: str, table: dict[str, Any], where: str) -> FlowSpec:
    reject_unknown_keys(table, _TOP, where)
    steps = tuple(
        _step(s, f"{where}.steps[{i}]") for i, s in enumerate(list_of(table, "steps", where))
    )
    if not steps:
        raise ConfigError(msg("fcfg.no_steps", where=where), hint=msg("fcfg.add_steps"))
    names = [s.name for s in steps]
    spec = FlowSpec(
        name=name, where=where, steps=steps,
        item=str_of(table, "item", where, "wallet-reward"),
        beneficiary=str_of(table, "beneficiary", where, "{run_tag}"),
        amount=amount_of(table, "amount", where),
        balance=_balance(table.get("balance", {}), f"{where}.balance"),
        payments_sql=str_of(table, "payments_sql", where, ""),
        watch=tuple(str(w) for w in list_of(table, "watch", where)),
        replay=_replay(table.get("replay"), f"{where}.replay", names),
        burst=_burst(table.get("burst"), f"{where}.burst", names),
        sql_invariants=tuple(_sql(s, f"{where}.sql_invariants[{i}]")
                             for i, s in enumerate(list_of(table, "sql_invariants", where))),
        rows=tuple(_rows(r, f"{where}.rows[{i}]") for i, r in enumerate(list_of(table, "rows", where))),
        poll_timeout_s=float_of(table, "poll_timeout_s", where, 5.0),
        poll_interval_s=float_of(table, "poll_interval_s", where, 0.1),
        settle_s=float_of(table, "settle_s", where, 0.2),
    )  # fmt: skip
    return spec


def _step(table: Any, where: str) -> Step:
    table = table_of(table, where)
    reject_unknown_keys(table, {"name", "method", "path", "json", "expect", "capture"}, where)
    method = str_of(table, "method", where, "POST").upper()
    if method not in METHODS:
        raise ConfigError(
            msg("fcfg.bad_method", where=where, method=repr(method), methods=", ".join(METHODS)), hint=msg("fcfg.fix_it")
        )
    capture = table_of(table.get("capture", {}), f"{where}.capture")
    for key, pointer in capture.items():
        if not isinstance(pointer, str) or not _POINTER.match(pointer):
            raise ConfigError(
                msg("fcfg.bad_pointer", where=where, key=key, pointer=repr(pointer)), hint=msg("fcfg.pointer_example")
            )
    return Step(
        name=str_of(table, "name", where, None), method=method, path=str_of(table, "path", where, None),
        json=table.get("json"), capture=capture,
        expect=no_server_errors(statuses_of(table, "expect", where, (200, 201)), f"{where}.expect"),
    )  # fmt: skip


def _balance(table: Any, where: str) -> BalanceRead:
    table = table_of(table, where)
    reject_unknown_keys(table, {"path", "pointer", "sql"}, where)
    read = BalanceRead(**{k: str(v) for k, v in table.items()})
    if bool(read.path) == bool(read.sql):
        raise ConfigError(
            msg("fcfg.path_or_sql", where=where), hint=msg("fcfg.balance_path_example"),
        )
    return read


def _replay(table: Any, where: str, steps: list[str]) -> Replay | None:
    if table is None:
        return None
    table = table_of(table, where)
    reject_unknown_keys(table, {"item", "step", "refused", "times", "json"}, where)
    return Replay(
        item=str_of(table, "item", where, "wallet-idempotent"), step=_step_name(table, where, steps),
        refused=no_server_errors(statuses_of(table, "refused", where, (409,)), f"{where}.refused"),
        times=int_of(table, "times", where, 1, minimum=1),
        json=table.get("json"),
    )  # fmt: skip


def _burst(table: Any, where: str, steps: list[str]) -> Burst | None:
    if table is None:
        return None
    table = table_of(table, where)
    reject_unknown_keys(table, {"item", "step", "concurrency", "bursts"}, where)
    return Burst(
        item=str_of(table, "item", where, "wallet-idempotent"), step=_step_name(table, where, steps),
        concurrency=int_of(table, "concurrency", where, 10, minimum=2),
        bursts=int_of(table, "bursts", where, 5, minimum=1),
    )  # fmt: skip


def _sql(table: Any, where: str) -> SqlInvariant:
    table = table_of(table, where)
    reject_unknown_keys(table, {"name", "item", "query", "expect"}, where)
    if "expect" not in table:
        raise ConfigError(
            msg("fcfg.no_expect", where=where), hint=msg("fcfg.expect_hint")
        )
    return SqlInvariant(
        name=str_of(table, "name", where, None), item=str_of(table, "item", where, None),
        query=str_of(table, "query", where, None), expect=table["expect"],
    )  # fmt: skip


def _rows(table: Any, where: str) -> RowTable:
    table = table_of(table, where)
    reject_unknown_keys(table, {"table", "tag_columns", "id_column", "ids"}, where)
    rows = RowTable(
        table=str_of(table, "table", where, None), id_column=str_of(table, "id_column", where, "id"),
        tag_columns=tuple(str(c) for c in list_of(table, "tag_columns", where)), ids=str_of(table, "ids", where, ""),
    )  # fmt: skip
    # Table and column names go into SQL text, so only plain (schema.)identifiers pass.
    for name in (rows.table, rows.id_column, *rows.tag_columns):
        if not _IDENTIFIER.match(name):
            raise ConfigError(
                msg("fcfg.not_a_name", where=where, name=repr(name)), hint=msg("fcfg.use_name")
            )
    if not rows.tag_columns and not rows.ids:
        raise ConfigError(
            msg("fcfg.rows_unfindable", where=where), hint=msg("fcfg.tag_columns_example"),
        )
    return rows


def _step_name(table: dict[str, Any], where: str, steps: list[str]) -> str:
    name = str_of(table, "step", where, steps[-1])
    if name not in steps:
        raise ConfigError(
            msg("fcfg.no_such_step", where=where, name=repr(name)), hint=msg("fcfg.steps", names=", ".join(steps))
        )
    return name
