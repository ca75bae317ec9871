"""models-match: the live schema is what the app's models say, as Alembic's autogenerate sees it.

The comparison runs where the models live: ``helpers/compare_models.py`` runs in the app's
interpreter from ``[app] dir``, imports ``database.models_import`` and ``database.models``
(``module:Base.metadata``), reads the options the app's own env.py hands
``context.configure`` (``include_object``, ``include_name``, ``include_schemas``,
``compare_type``, ``compare_server_default``; Flask-Migrate's inside the app's context) and
runs ``alembic.autogenerate`` against the live database on a connection whose transaction is
READ ONLY at the server. So tables, columns, indexes, unique constraints, foreign keys,
nullability, types and (where env.py asks for it) server defaults all count, in both
directions, and what env.py filters out stays out. Each difference is named as a person says
it ("ledger_entries index ix_ledger_entries_operation (operation): index the models define is
missing"), and the evidence shows the operation ``alembic revision --autogenerate`` would
write for it. The verdict does not depend on what ran before it, under ``-k`` or ``-n``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.checks.backend import Backend
from harness.config.alembic_ini import ini_section
from harness.config.database import DatabaseSpec
from harness.errors import ConfigError, DatabaseUnreachable
from harness.messages.core import msg
from harness.result import CheckResult
from harness.stack.appcode import AppCode

ITEM = "models-match"
Answer = dict[str, Any]

# SQLAlchemy's PostgreSQL spelling → format_type's.
_SPELLING = {
    "varchar": "character varying", "char": "character", "float": "double precision",
    "timestamp": "timestamp without time zone", "time": "time without time zone",
    "int": "integer", "bool": "boolean", "decimal": "numeric",
}  # fmt: skip
_NOUN = {"index": "index", "fk": "foreign key", "UniqueConstraint": "unique constraint",
         "CheckConstraint": "check constraint", "PrimaryKeyConstraint": "primary key"}  # fmt: skip
# The summary's words for each kind of difference, in this order.
_KINDS = (("add_", "missing"), ("remove_", "only in the database"), ("modify_type", "type differs"),
          ("modify_nullable", "nullability differs"), ("modify_default", "server default differs"),
          ("modify_comment", "comment differs"))  # fmt: skip


def compare_models(app: AppCode, spec: DatabaseSpec, ini: Path | None, live_url: str) -> Answer:
    """The helper's answer: ``tables``, ``options`` (from env.py or Alembic's defaults, and
    why) and ``differences``. A metadata with no tables is a ConfigError (nothing to judge)."""
    assert spec.models is not None
    env = app.environment(live_url)
    env["HV_MODELS_URL"] = live_url
    if spec.models_schema != "public":  # per-tenant tables: compared where they live
        env["HV_MODELS_SCHEMA"] = spec.models_schema
    if spec.models_path:
        env["PYTHONPATH"] = ":".join(str(p) for p in spec.models_path)
    args = [spec.models, *(f"--import={name}" for name in spec.models_import)]
    if ini is not None:
        args.append(f"--ini={ini}")
        env["HV_ALEMBIC_SECTION"] = ini_section(ini)
        if app.spec.migrations == "flask" and app.spec.wsgi:
            args.append(f"--flask={app.spec.wsgi}")
    answer: Answer = app.helper("compare_models", args, env)
    _require_env_py_connected(answer)
    if not answer["tables"]:
        raise ConfigError(
            f"database.models: {spec.models} has no tables when loaded in {app.spec.python}: "
            "the model modules that define them were never imported.",
            hint='list them in database.models_import = ["app.models.user", ...], or name a '
            'module that imports them all (e.g. models = "app.models:SQLModel.metadata")',
        )
    return answer


# env.py failed because the database did not answer (a restart, an outage), not because of
# the app: comparing with Alembic's defaults instead (no include_schemas, no include_object)
# would report the app's other schemas as missing, a verdict on a database that was away.
_CONNECTION_TROUBLE = re.compile(
    r"ConnectionRefusedError|Connect call failed|connection refused|CannotConnectNow|"
    r"ConnectionDoesNotExist|ConnectionResetError|server closed the connection|"
    r"the database system is (?:starting up|shutting down|in recovery)|could not connect to server|"
    r"connection to server .* failed",
    re.IGNORECASE,
)


def _require_env_py_connected(answer: Answer) -> None:
    options = answer.get("options") or {}
    reason = str(options.get("reason", ""))
    if options.get("from") != "env.py" and _CONNECTION_TROUBLE.search(reason):
        raise DatabaseUnreachable(msg("models.env_unreachable", reason=reason))


def pg_type(spelling: str | None) -> str | None:
    """``VARCHAR(255)`` → ``character varying(255)``; ``NUMERIC(10, 2)`` → ``numeric(10,2)``."""
    if spelling is None:
        return None
    value = spelling.strip().lower().replace(", ", ",")
    match = re.match(r"^([a-z_ ]+?)\s*(\(.*\))?((\[\])*)$", value)
    if not match:
        return value
    base, args, array = match.group(1), match.group(2) or "", match.group(3) or ""
    if base == "float" and args:  # FLOAT(p): PostgreSQL keeps only real or double precision
        base, args = ("real" if int(args.strip("()") or 53) <= 24 else "double precision"), ""
    base = _SPELLING.get(base, base)
    if base == "character" and not args:
        args = "(1)"
    return f"{base}{args}{array}"


def _where(schema: str | None, table: str) -> str:
    return table if schema in (None, "public") else f"{schema}.{table}"


def label(diff: dict[str, Any]) -> str:
    """How a person names the object: ``users.email``, ``tasks index ix_tasks_status
    (status)``, ``tasks foreign key (assigned_to) -> users.id``."""
    where = _where(diff.get("schema"), diff.get("table", "?"))
    kind: str = diff["kind"]
    columns = ", ".join(diff.get("columns") or [])
    if kind.endswith(("_table", "table_comment")):
        return where
    if "column" in diff:
        return f"{where}.{diff['column']}"
    if kind.endswith("_index"):
        return f"{where} {'unique ' if diff.get('unique') else ''}index {diff.get('name')} ({columns})"
    if kind.endswith("_fk"):
        named = f" {diff['name']}" if diff.get("name") else ""
        return f"{where} foreign key{named} ({columns}) -> {', '.join(diff.get('references') or [])}"
    if kind.endswith("_constraint"):
        noun = _NOUN.get(diff.get("constraint", ""), "constraint")
        return f"{where} {noun} {diff.get('name') or ''} ({columns})".replace("  ", " ")
    return kind


def difference_line(diff: dict[str, Any]) -> str:
    """One difference, both directions named: what the models have, what the database has."""
    kind, what = diff["kind"], label(diff)
    noun = msg("models.noun." + ("table" if kind.endswith("_table") else "column" if "column" in diff else (
        "index" if kind.endswith("_index") else "foreign key" if kind.endswith("_fk")
        else _NOUN.get(diff.get("constraint", ""), "constraint"))))  # fmt: skip
    shown = f" ({pg_type(diff['type'])})" if diff.get("type") else ""
    if kind.startswith("add_") and not kind.endswith("comment"):
        return msg("models.missing", what=what, noun=noun, shown=shown)
    if kind.startswith("remove_") and not kind.endswith("comment"):
        return msg("models.extra", what=what, noun=noun, shown=shown)
    models, database = diff.get("models"), diff.get("database")
    if kind == "modify_type":
        return msg("models.type", what=what, models=pg_type(models), database=pg_type(database))
    if kind == "modify_nullable":
        spell = {True: "NULL", False: "NOT NULL"}
        return msg("models.nullable", what=what, models=spell[bool(models)], database=spell[bool(database)])
    if kind == "modify_default":
        none = msg("models.none")
        return msg("models.default", what=what, models=models or none, database=database or none)
    if kind == "modify_comment":
        return msg("models.comment", what=what, models=repr(models), database=repr(database))
    if kind.endswith("table_comment"):
        return msg("models.table_comment", what=what)
    return f"{kind}: {diff.get('repr', '')}"


def check_models_match(answer: Answer, name: str, backend: Backend | None = None) -> CheckResult:
    differences = answer["differences"]
    options = answer.get("options", {})
    lines = [difference_line(d) for d in differences]
    ops = list(dict.fromkeys(d["code"] for d in differences if d.get("code")))
    evidence = {"models": name, "tables_in_models": answer["tables"], "options": options}
    source = options.get("from", "env.py")
    if not lines:
        return CheckResult.passed(
            ITEM, f"the live schema matches {name} as Alembic's autogenerate compares them "
            f"({answer['tables']} tables, options from {source})", **evidence,
        )  # fmt: skip
    b = backend or Backend()
    kinds = ", ".join(word for prefix, word in _KINDS if any(d["kind"].startswith(prefix) for d in differences))
    named = list(dict.fromkeys(line.split(": ", 1)[0] for line in lines))
    names = ", ".join(named[:8])
    if len(named) > 8:
        names = msg("models.more", names=names, n=len(named) - 8)
    return CheckResult.failed(
        ITEM, f"the models and the live database differ in {len(lines)} thing(s) ({kinds}): {names}",
        remediation=f"make the migrations and the models agree: {b.autogenerate} writes the "
        f"operations shown in the evidence (review them, deploy, {b.upgrade}), or change the "
        "models. An object another tool owns goes in env.py's include_object",
        expected={"differences": []}, differences=lines, autogenerate=ops, **evidence,
    )  # fmt: skip
