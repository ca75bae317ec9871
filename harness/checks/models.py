"""models-match: the live schema has every table and column the app's models expect.

The models are loaded where they live: ``helpers/describe_models.py`` runs in the app's
interpreter from ``[app] dir``, imports ``database.models_import`` (models spread over
modules register themselves on import) and ``database.models`` (``module:Base.metadata``),
and answers with JSON: tables, columns with their types compiled for PostgreSQL, nullability.
This process compares that with the live catalog itself, so the verdict is the same whatever
ran before it in the session, under ``-k`` or ``-n``. What the code expects and the database
lacks fails (the model column no migration creates), and so does a column whose type differs;
what the database has beyond the code is reported but passes (schema-drift's business).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Engine, text

from harness.config.database import DatabaseSpec
from harness.errors import ConfigError
from harness.result import CheckResult
from harness.stack.appcode import NO_DATABASE_URL, AppCode
from harness.transport.db import database_errors

ITEM = "models-match"
Models = dict[str, dict[str, Any]]

_COLUMNS = """SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
      AND n.nspname = ANY(:schemas)"""
# Every schema a tenant's tables may live in: not PostgreSQL's own, not the harness's hv_ ones.
_USER_SCHEMAS = r"""SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%'
    AND nspname <> 'information_schema' AND nspname NOT LIKE 'hv\_%' ORDER BY 1"""
# SQLAlchemy's PostgreSQL spelling → format_type's.
_SPELLING = {
    "varchar": "character varying", "char": "character", "float": "double precision",
    "timestamp": "timestamp without time zone", "time": "time without time zone",
    "int": "integer", "bool": "boolean", "decimal": "numeric",
}  # fmt: skip


def load_models(app: AppCode, spec: DatabaseSpec) -> Models:
    """The models' description from the app's interpreter; no tables is a ConfigError."""
    assert spec.models is not None
    env = app.environment(NO_DATABASE_URL)  # settings may raise at import without one
    if spec.models_path:
        env["PYTHONPATH"] = ":".join(str(p) for p in spec.models_path)
    answer = app.helper("describe_models", [spec.models, *spec.models_import], env)
    tables: Models = answer["tables"]
    if not tables:
        raise ConfigError(
            f"database.models: {spec.models} has no tables when loaded in {app.spec.python}: "
            "the model modules that define them were never imported.",
            hint='list them in database.models_import = ["app.models.user", ...], or name a '
            'module that imports them all (e.g. models = "app.models:SQLModel.metadata")',
        )
    return tables


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


def live_columns(
    connection: Connection, schemas: list[str]
) -> dict[str, dict[str, tuple[str, bool]]]:
    """``{table label: {column: (format_type, nullable)}}`` for the given schemas."""
    found: dict[str, dict[str, tuple[str, bool]]] = {}
    for schema, table, column, type_, nullable in connection.execute(
        text(_COLUMNS), {"schemas": schemas}
    ):
        found.setdefault(_where(schema, table), {})[column] = (type_, nullable)
    return found


def _split(label: str) -> tuple[str, str]:
    schema, _, table = label.rpartition(".")
    return schema or "public", table


def _where(schema: str | None, table: str) -> str:
    return table if schema in (None, "public") else f"{schema}.{table}"


def compare(
    models: Models, live: dict[str, dict[str, tuple[str, bool]]]
) -> tuple[list[str], list[str]]:
    """(what the code expects and the database lacks or types differently, the rest)."""
    missing: list[str] = []
    extra: list[str] = []
    for table in models.values():
        label = _where(table["schema"], table["name"])
        have = live.get(label)
        if have is None:
            missing.append(f"{label}: table the models define is missing")
            continue
        for name, column in table["columns"].items():
            missing.extend(_column_differences(label, name, column, have, extra))
        extra.extend(
            f"{label}.{c}: column in the database, not in the models"
            for c in sorted(set(have) - set(table["columns"]))
        )
    return missing, extra


def _column_differences(
    label: str,
    name: str,
    column: dict[str, Any],
    have: dict[str, tuple[str, bool]],
    extra: list[str],
) -> list[str]:
    if name not in have:
        return [f"{label}.{name}: column the models define is missing ({pg_type(column['type'])})"]
    live_type, live_nullable = have[name]
    want = pg_type(column["type"])
    if want is not None and want != live_type:
        return [
            f"{label}.{name}: type differs: the models say {want}, the database has {live_type}"
        ]
    if column["nullable"] != live_nullable:
        extra.append(
            f"{label}.{name}: the models say {'NULL' if column['nullable'] else 'NOT NULL'}, the database {'NULL' if live_nullable else 'NOT NULL'}"
        )
    return []


def placed(models: Models, live_tables: set[tuple[str, str]], models_schema: str) -> Models:
    """The models with each table that names no schema placed where ``database.models_schema``
    says it lives: one schema, or ("*", per-tenant schemas) every schema holding a table of
    its name; one holding none stays unplaced (and is reported missing)."""
    if models_schema == "public":
        return models
    out: Models = {}
    for key, table in models.items():
        if table["schema"]:
            out[key] = table
            continue
        homes = [models_schema] if models_schema != "*" else sorted(
            s for s, t in live_tables if t == table["name"]
        )  # fmt: skip
        for schema in homes or [None]:
            out[f"{schema}.{table['name']}" if schema else key] = {**table, "schema": schema}
    return out


def check_models_match(
    engine: Engine, models: Models, name: str, models_schema: str = "public"
) -> CheckResult:
    with database_errors(engine), engine.connect() as connection:
        schemas = (
            [r[0] for r in connection.execute(text(_USER_SCHEMAS))]
            if models_schema == "*"
            else sorted({t["schema"] or models_schema for t in models.values()})
        )
        live = live_columns(connection, schemas)
    models = placed(models, {_split(label) for label in live}, models_schema)
    missing, extra = compare(models, live)
    evidence = {"models": name, "tables_in_models": len(models), "only_in_database": extra}
    if not missing:
        return CheckResult.passed(
            ITEM,
            f"the live schema has every table and column of {name} ({len(models)} tables)",
            **evidence,
        )
    names = ", ".join(m.split(": ", 1)[0] for m in missing[:8])
    kinds = " and ".join(
        k
        for k, w in (("missing", "is missing"), ("type differs", "type differs"))
        if any(w in m for m in missing)
    )
    return CheckResult.failed(
        ITEM, f"the code expects {len(missing)} thing(s) the database does not match ({kinds}): {names}",
        remediation="write the migration that creates or alters them (alembic revision "
        "--autogenerate), deploy it and run alembic upgrade head; or fix the model",
        expected={"missing": []}, missing=missing, **evidence,
    )  # fmt: skip
