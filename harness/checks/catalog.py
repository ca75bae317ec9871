"""A database's schema as ``{kind: {label: definition}}``, and the differences between two.

Read from the system catalogs (``pg_get_*def`` spells each object the way ``pg_dump`` does),
not by diffing ``pg_dump --schema-only``. Measured on the reference app plus a trigger,
function, enum, views, sequence and policy (PG 18, one enum value added by hand): both
snapshots and the diff took 0.021 s, two dumps and a line diff 0.091 s; the dump diff is a
hunk inside ``CREATE TYPE`` rather than a named object, and needs normalising (random
``\\restrict`` keys, the "Dumped from" version lines) and a pg_dump at least as new as the
server. Objects an extension owns (pgvector's functions and operators in ``public``) are
left out on both sides: the extension item and its version cover them.

A label is how a person names the object: ``table.column`` (``schema.table.column`` outside
public) for columns, ``tasks index ix_tasks_status``, ``trigger touch on tasks``,
``function touch_updated_at()``, ``enum type task_status``, ``view open_tasks``,
``policy own_rows on tasks``, ``schema audit``. Definitions have runs of whitespace folded,
so a server that pretty-prints a view or function differently is not drift.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

from harness.messages.core import msg, sentences

Snapshot = dict[str, dict[str, Any]]

# Excludes objects that belong to an extension (pg_depend deptype 'e').
_NOT_EXT = "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = {oid} AND e.deptype = 'e')"
_REL = """FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(:schemas) AND """

# kind -> SQL returning (schema, owner, name, definition); owner is the table, or '' .
_SQL = {
    "tables": "SELECT n.nspname, c.relname, '', CASE WHEN c.relrowsecurity THEN 'row level security' "
    "ELSE 'no row level security' END " + _REL + "c.relkind IN ('r', 'p')",
    "columns": """SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
          || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname = ANY(:schemas)""",
    "indexes": """SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = ANY(:schemas)""",
    "constraints": """SELECT n.nspname, t.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ANY(:schemas)""",
    "triggers": """SELECT n.nspname, c.relname, g.tgname, pg_get_triggerdef(g.oid)
          || CASE g.tgenabled WHEN 'D' THEN ' (disabled)' ELSE '' END
        FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT g.tgisinternal AND n.nspname = ANY(:schemas)""",
    "functions": """SELECT n.nspname, '', CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END
          || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
          CASE WHEN p.prokind IN ('a', 'w') THEN p.prokind::text ELSE pg_get_functiondef(p.oid) END
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY(:schemas) AND """
    + _NOT_EXT.format(oid="p.oid"),
    "enums": """SELECT n.nspname, '', 'enum type ' || t.typname,
          string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = ANY(:schemas) AND """
    + _NOT_EXT.format(oid="t.oid")
    + " GROUP BY 1, 2, 3",
    "sequences": """SELECT n.nspname, '', 'sequence ' || c.relname, format_type(s.seqtypid, NULL)
          || ' increment ' || s.seqincrement || COALESCE(' owned by ' || (
            SELECT quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(a.attname)
            FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
            JOIN pg_namespace tn ON tn.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
              AND d.deptype IN ('a', 'i') LIMIT 1), '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_sequence s ON s.seqrelid = c.oid WHERE n.nspname = ANY(:schemas)""",
    "views": "SELECT n.nspname, '', CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END "
    "|| c.relname, pg_get_viewdef(c.oid, true) "
    + _REL
    + "c.relkind IN ('v', 'm') AND "
    + _NOT_EXT.format(oid="c.oid"),
    "policies": """SELECT schemaname, tablename, 'policy ' || policyname || ' on ',
          permissive || ' FOR ' || cmd || ' TO ' || array_to_string(roles, ', ')
          || COALESCE(' USING (' || qual || ')', '') || COALESCE(' WITH CHECK (' || with_check || ')', '')
        FROM pg_policies WHERE schemaname = ANY(:schemas)""",
    "comments": """SELECT n.nspname, c.relname, COALESCE(a.attname, ''), d.description
        FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
        WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'v', 'm')
          AND NOT starts_with(d.description, 'staging-harness ')""",
}
# Kinds whose label already says what the object is ("trigger x on t").
SELF_NAMED = {
    "triggers",
    "functions",
    "enums",
    "sequences",
    "views",
    "policies",
    "comments",
    "schemas",
}
NOUN = {"tables": "table", "columns": "column", "indexes": "index", "constraints": "constraint"}
_SPACE = re.compile(r"\s+")


def app_schemas(connection: Connection, ignore: tuple[str, ...] = ()) -> list[str]:
    """User schemas, without system ones, the harness's own ``hv_`` ones and ``ignore``."""
    rows = connection.execute(text(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
        "AND nspname <> 'information_schema' AND NOT starts_with(nspname, 'hv_') ORDER BY 1"
    ))  # fmt: skip
    return [name for name in rows.scalars() if name not in ignore]


def snapshot(connection: Connection, schemas: list[str]) -> Snapshot:
    """Every kind of object in ``schemas``, plus the schemas and the extensions themselves."""
    snap: Snapshot = {"schemas": {f"schema {name}": "" for name in schemas}}
    for kind, sql in _SQL.items():
        rows = connection.execute(text(sql), {"schemas": schemas}).all()
        snap[kind] = {label(kind, *row[:3]): _SPACE.sub(" ", str(row[3])).strip() for row in rows}
    extensions = connection.execute(text("SELECT extname, extversion FROM pg_extension"))
    snap["extensions"] = {str(name): str(version) for name, version in extensions.all()}
    return snap


def label(kind: str, schema: str, table: str, detail: str) -> str:
    where = table if schema == "public" else f"{schema}.{table}"
    if kind == "tables":
        return where
    if kind == "columns":
        return f"{where}.{detail}"
    if kind in ("indexes", "constraints"):
        return f"{where} {NOUN[kind]} {detail}"
    if kind == "triggers":
        return f"trigger {detail} on {where}"
    if kind == "policies":
        return f"{detail}{where}"
    if kind == "comments":
        return f"comment on column {where}.{detail}" if detail else f"comment on {where}"
    noun, _, name = detail.partition(" ")
    if detail.startswith("materialized view "):
        noun, name = "materialized view", detail.removeprefix("materialized view ")
    elif detail.startswith("enum type "):
        noun, name = "enum type", detail.removeprefix("enum type ")
    return f"{noun} {name if schema == 'public' else f'{schema}.{name}'}"


def owner_of(kind: str, entry: str) -> str | None:
    """The table a column/index/constraint/trigger/policy/comment belongs to."""
    if kind == "columns":
        return entry.rsplit(".", 1)[0]
    if kind in ("indexes", "constraints"):
        return entry.split(" ", 1)[0]
    if kind in ("triggers", "policies"):
        return entry.rsplit(" on ", 1)[1]
    if kind == "comments":
        rest = entry.removeprefix("comment on ")
        return (
            rest.removeprefix("column ").rsplit(".", 1)[0] if rest.startswith("column ") else rest
        )
    return None


def schema_of(kind: str, entry: str) -> str:
    """The schema an entry lives in (labels leave ``public`` out)."""
    if kind == "schemas":
        return entry.removeprefix("schema ")
    name = owner_of(kind, entry)
    if name is None:
        # "function audit.touch(a integer)" -> "audit.touch"; a table's label is its name
        name = entry if kind == "tables" else entry.split("(", 1)[0].rsplit(" ", 1)[-1]
    schema, dot, _ = name.partition(".")
    return schema if dot else "public"


# ---------------------------------------------------------------- differences

ORDER = ("schemas", "tables", "columns", "indexes", "constraints", "triggers", "functions",
         "enums", "sequences", "views", "policies", "comments")  # fmt: skip


def diff_snapshots(live: Snapshot, replayed: Snapshot) -> list[str]:
    """One line per difference, live database against the migrations' result. An object under
    a table or schema that exists on one side only is folded into that one line."""
    lines = []
    for kind in ORDER:
        have, want = live.get(kind, {}), replayed.get(kind, {})
        for entry in sorted(set(have) - set(want)):
            if not folded(kind, entry, live, replayed):
                lines.append(
                    _extra(
                        kind, entry, _contents(live, entry) if kind == "schemas" else have[entry]
                    )
                )
        for entry in sorted(set(want) - set(have)):
            if not folded(kind, entry, replayed, live):
                lines.append(_missing(kind, entry, want[entry]))
        for entry in sorted(set(have) & set(want)):
            if have[entry] != want[entry]:
                lines.append(_changed(kind, entry, have[entry], want[entry]))
    for name in sorted(set(replayed.get("extensions", {})) - set(live.get("extensions", {}))):
        lines.append(msg("drift.extension_missing", name=name))
    return lines


def _extra(kind: str, entry: str, definition: str) -> str:
    what = shown(definition)
    if kind in SELF_NAMED:
        return msg("drift.extra_self", entry=entry, what=what)
    return msg("drift.extra", entry=entry, noun=msg(f"drift.noun.{NOUN[kind]}"), what=what)


def _missing(kind: str, entry: str, definition: str) -> str:
    what = shown(definition)
    if kind in SELF_NAMED:
        return msg("drift.missing_self", entry=entry, what=what)
    return msg("drift.missing", entry=entry, noun=msg(f"drift.noun.{NOUN[kind]}"), what=what)


def _changed(kind: str, entry: str, have: str, want: str) -> str:
    if kind == "enums":
        extra = [v for v in have.split(", ") if v not in want.split(", ")]
        missing = [v for v in want.split(", ") if v not in have.split(", ")]
        parts = [msg("drift.enum_added", values=", ".join(extra))] if extra else []
        parts += [msg("drift.enum_missing", values=", ".join(missing))] if missing else []
        if parts:
            return msg("drift.enum_changed", entry=entry, parts=sentences(*parts), have=have, want=want)
    return msg("drift.changed", entry=entry, have=repr(cut(have)), want=repr(cut(want)))


def _contents(snap: Snapshot, schema_entry: str) -> str:
    """What a schema holds, for the one line about a schema no migration creates."""
    schema = schema_entry.removeprefix("schema ")
    names = [f"table {e}" if kind == "tables" else e for kind in ("tables", "views", "functions", "enums")
             for e in snap.get(kind, {}) if schema_of(kind, e) == schema]  # fmt: skip
    return (
        ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        if names
        else "empty"
    )


def shown(definition: str, limit: int = 240) -> str:
    """`` (definition)`` for a line that names an object, cut to ``limit``; "" without one."""
    return f" ({cut(definition, limit)})" if definition else ""


def cut(definition: str, limit: int = 240) -> str:
    return definition if len(definition) <= limit else definition[: limit - 1] + "…"


def folded(kind: str, entry: str, side: Snapshot, other: Snapshot) -> bool:
    """True when ``entry`` only exists because its table or schema exists on ``side`` only."""
    if kind != "schemas":
        schema = f"schema {schema_of(kind, entry)}"
        if schema in side.get("schemas", {}) and schema not in other.get("schemas", {}):
            return True
    table = owner_of(kind, entry)
    return (
        table is not None
        and table in side.get("tables", {})
        and table not in other.get("tables", {})
    )


def without_table(snap: Snapshot, table: str) -> Snapshot:
    """``snap`` without one table and what hangs off it (Alembic's version table)."""
    return {
        kind: {e: d for e, d in entries.items()
               if not (e == table and kind == "tables") and owner_of(kind, e) != table}
        for kind, entries in snap.items()
    }  # fmt: skip
