"""Evidence rendered for people: one small table per check instead of a JSON dump.

A renderer is keyed by checklist item id and turns one check (``CheckResult.to_dict()``)
into ``Table``s; any item without one gets the generic key | observed | expected table.
The raw evidence stays in checklist.json; these tables are for the md/html pages only.
Renderers read the evidence defensively: the checks' wording may change under them, and a
line they cannot parse still shows up, whole, in the first column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.messages.core import Message

Check = dict[str, Any]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


Renderer = Callable[[Check], list[Table]]
RENDERERS: dict[str, Renderer] = {}


def renderer(*items: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        for item in items:
            RENDERERS[item] = function
        return function

    return register


def render_check(check: Check, say: Callable[[str], str] | None = None) -> list[Table]:
    """``say``: a line in the report's language (a Message's text rendered from its id); the
    generic table applies it to each value, its lists and its tables' values."""
    function = RENDERERS.get(str(check.get("item")))
    try:
        tables = function(check) if function else []
    except (KeyError, TypeError, ValueError, AttributeError):
        tables = []  # evidence of an unexpected shape: the generic table still shows it
    return [t for t in tables if t.rows] or generic(_said(check, say) if say else check)


def _said(check: Check, say: Callable[[str], str]) -> Check:
    def one(value: Any) -> Any:
        if isinstance(value, str):
            return say(value)
        if isinstance(value, list):
            return [one(v) for v in value]
        if isinstance(value, dict):
            return {k: one(v) for k, v in value.items()}
        return value

    return {**check, "evidence": one(check.get("evidence") or {}), "expected": one(check.get("expected") or {})}


def text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- generic


def generic(check: Check) -> list[Table]:
    evidence, expected = check.get("evidence") or {}, check.get("expected") or {}
    rows = [[key, _short(evidence.get(key)), _short(expected[key]) if key in expected else ""]
            for key in [*evidence, *(k for k in expected if k not in evidence)]]  # fmt: skip
    return [Table("", ["key", "observed", "expected"], rows)]


def _short(value: Any, limit: int = 300) -> str:
    out = text(value)
    return out if len(out) <= limit else out[: limit - 1] + "…"


# ---------------------------------------------------------------- routes

_ANSWER = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) -> (?P<sent>.*?): (?P<answer>.*)$")


@renderer("routes-reachable")
def reachable(check: Check) -> list[Table]:
    evidence = check["evidence"]
    lines = evidence.get("unreachable") or evidence.get("answers") or []
    return [Table("", ["method", "path", "sent", "answered"], [_answer_row(line) for line in lines])]


def _answer_row(line: str) -> list[str]:
    match = _ANSWER.match(line)
    if match is None:
        return [line, "", "", ""]
    return [match["method"], match["path"], match["sent"], match["answer"]]


@renderer("routes")
def routes(check: Check) -> list[Table]:
    evidence = check["evidence"]
    moved: dict[str, str] = evidence.get("moved") or {}
    rows = [[*_route(r), "—", Message("evidence.served_as", route=moved[r]) if r in moved else "not served"]
            for r in evidence.get("missing") or []]  # fmt: skip
    rows += [[*_route(r), "—", "served, not in the expected list"] for r in evidence.get("unexpected") or []
             if r not in moved.values()]  # fmt: skip
    return [Table("", ["method", "path", "sent", "answered"], rows)]


def _route(line: str) -> list[str]:
    method, _, path = line.partition(" ")
    return [method, path] if path else ["", line]


# ---------------------------------------------------------------- schema drift

_LIVE_ONLY = re.compile(r"^(?P<obj>.+?): (?P<kind>\w+) in the live database that no migration creates \((?P<d>.*)\)$")
_MIGRATIONS_ONLY = re.compile(r"^(?P<obj>.+?): (?P<kind>\w+) the migrations create is missing in the live database \((?P<d>.*)\)$")
_DIFFERENT = re.compile(r"^(?P<obj>.+?): live has (?P<live>.*), the migrations give (?P<want>.*)$")
_EXTENSION = re.compile(r"^extension (?P<obj>\S+): the migrations create it, the live database lacks it$")


@renderer("schema-drift")
def drift(check: Check) -> list[Table]:
    rows = [_drift_row(line) for line in check["evidence"].get("differences") or []]
    return [Table("", ["object", "live database", "migrations"], rows)]


def _drift_row(line: str) -> list[str]:
    if m := _LIVE_ONLY.match(line):
        return [f"{m['kind']} {m['obj']}", f"has {m['d']}", "does not create it"]
    if m := _MIGRATIONS_ONLY.match(line):
        return [f"{m['kind']} {m['obj']}", "missing", f"creates {m['d']}"]
    if m := _DIFFERENT.match(line):
        return [m["obj"], _unquote(m["live"]), _unquote(m["want"])]
    if m := _EXTENSION.match(line):
        return [f"extension {m['obj']}", "missing", "creates it"]
    return [line, "", ""]


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


# ---------------------------------------------------------------- models-match

_MODEL_MISSING = re.compile(r"^(?P<obj>.+?): (?P<kind>table|column) the models define is missing(?: \((?P<type>.*)\))?$")
_MODEL_TYPE = re.compile(r"^(?P<obj>.+?): the models expect (?P<want>.*), the database has (?P<have>.*)$")
_DB_ONLY = re.compile(r"^(?P<obj>.+?): (?P<kind>table|column) in the database, not in the models$")
_ALEMBIC_OP = re.compile(r"^(?P<op>(?P<dir>add|remove|modify)_(?P<what>\w+)): (?P<rest>.*)$", re.DOTALL)
_NAMED = re.compile(r"(?:Index|UniqueConstraint|ForeignKeyConstraint|CheckConstraint)\('([^']+)'|name='([^']+)'")


@renderer("models-match")
def models(check: Check) -> list[Table]:
    evidence = check["evidence"]
    lines = [*(evidence.get("missing") or []), *(evidence.get("only_in_database") or [])]
    lines += evidence.get("database_only") or []  # a later name for the same list
    rows = [_model_row(line) for line in dict.fromkeys(lines)]
    return [Table("", ["object", "live database", "models"], rows)]


def _model_row(line: str) -> list[str]:
    if m := _MODEL_MISSING.match(line):
        return [f"{m['kind']} {m['obj']}", "missing", m["type"] or m["kind"]]
    if m := _MODEL_TYPE.match(line):
        return [m["obj"], m["have"], m["want"]]
    if m := _DB_ONLY.match(line):
        return [f"{m['kind']} {m['obj']}", "has it", "not defined"]
    if m := _ALEMBIC_OP.match(line):
        # Alembic's direction: add_* = the models have it, the database lacks it; remove_* the reverse.
        names = [a or b for a, b in _NAMED.findall(m["rest"])]
        obj = f"{m['what']} {', '.join(names) or m['rest'][:80]}"
        if m["dir"] == "add":
            return [obj, "missing", "defines it"]
        if m["dir"] == "remove":
            return [obj, "has it", "not defined"]
        return [obj, "differs", "differs"]
    return [line, "", ""]


# ---------------------------------------------------------------- wallet flow

_FLOW_STEPS = (
    ("supply_before", "total supply before"),
    ("balance_rise", "reward credited (balance rise)"),
    ("ledger_credits", "ledger credits to the user"),
    ("task_ledger_db", "ledger rows of the task (database)"),
    ("supply_after", "total supply after"),
)
_PASSES = (("repeated_completion", "completing the task a second time"),
           ("concurrent_completion", "concurrent completions"))  # fmt: skip


@renderer("wallet-reward", "wallet-idempotent", "wallet")
def wallet(check: Check) -> list[Table]:
    evidence, expected = check["evidence"], check.get("expected") or {}
    rows: list[list[str]] = []
    if "step" in evidence:  # the flow stopped: which request answered what
        rows.append([str(evidence["step"]), f"HTTP {text(evidence.get('status'))}", _short(evidence.get("body"), 160)])
    for key, label in _FLOW_STEPS:
        if key in evidence:
            observed, want = _amounts(evidence[key]), expected.get(key)
            ok = want is None or observed == want
            rows.append([label, "ok" if ok else "wrong", text(observed) + ("" if ok else f" ≠ {text(want)}")])
    for key, label in _PASSES:
        if isinstance(evidence.get(key), dict):
            rows.append(_pass_row(label, evidence[key]))
    return [Table("", ["step", "status", "balance"], rows)]


def _amounts(value: Any) -> Any:
    """Ledger rows as their amounts: ``[{"amount": -7, ...}, ...]`` → ``[-7, ...]``."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and "amount" in v for v in value):
        return [v["amount"] for v in value]
    return value


def _pass_row(label: str, paid: dict[str, Any]) -> list[str]:
    answered = paid.get("second_completion_status", paid.get("statuses"))
    credits = paid.get("ledger_credits") or []
    ok = len(credits) <= 1
    return [label, f"HTTP {text(answered)}", f"+{text(paid.get('balance_rise'))}, {len(credits)} × credit"
            + ("" if ok else " ≠ 1")]  # fmt: skip
