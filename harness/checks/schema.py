"""schema-drift: the live schema equals what its own migrations build.

The migrations are replayed into a throwaway *database* on the same server and the two
catalogs compared (tables, columns with type/nullability/default, indexes, constraints,
extensions; ``format_type`` spells vector dimensions as ``vector(8)``). A database rather
than a schema because migrations hardcode schema names (the reference app creates
``wallet``): replayed into ``hv_…`` they would collide with the live objects, while in a
fresh database every name, sequence and index definition comes out exactly as in the live
one, so the comparison needs no renaming. Where the role may not CREATE DATABASE the item is
"not run" with that reason (the suite decides).

The replay goes to the revision the live database records (head when it records none or an
unknown one): drift means "differs from what its own migrations produce"; a database that
is merely behind is migration-head's finding, not a second failure here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from harness.checks.migrations import known_revision, read_db_revisions, script_directory
from harness.checks.replay import ReplayFailed, refuse_live_ini_url, require_built_here, run_replay
from harness.config.database import DatabaseSpec
from harness.result import CheckResult
from harness.stack.appcode import AppCode
from harness.transport.db import database_errors

ITEM = "schema-drift"
Snapshot = dict[str, dict[str, Any]]

_SQL = {
    "tables": """SELECT n.nspname, c.relname, c.relname, c.relkind::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY(:schemas)""",
    "columns": """SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
          || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname = ANY(:schemas)""",
    "indexes": """SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = ANY(:schemas)""",
    "constraints": """SELECT n.nspname, t.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ANY(:schemas)""",
}


def app_schemas(connection: Connection) -> list[str]:
    """User schemas, without the system ones and the harness's own ``hv_`` schemas."""
    rows = connection.execute(text(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
        "AND nspname <> 'information_schema' AND NOT starts_with(nspname, 'hv_') ORDER BY 1"
    ))  # fmt: skip
    return list(rows.scalars())


def snapshot(connection: Connection, schemas: list[str]) -> Snapshot:
    """``{kind: {label: definition}}``; a label is ``table.column`` (``schema.table.column``
    outside public), so a difference reads the way a person names the object."""
    snap: Snapshot = {}
    for kind, sql in _SQL.items():
        rows = connection.execute(text(sql), {"schemas": schemas}).all()
        snap[kind] = {_label(kind, *row[:3]): row[3] for row in rows}
    extensions = connection.execute(text("SELECT extname, extversion FROM pg_extension"))
    snap["extensions"] = {name: version for name, version in extensions.all()}
    return snap


def _label(kind: str, schema: str, table: str, detail: str) -> str:
    where = table if schema == "public" else f"{schema}.{table}"
    if kind == "tables":
        return where
    if kind == "columns":
        return f"{where}.{detail}"
    return f"{where} {'index' if kind == 'indexes' else 'constraint'} {detail}"


def diff_snapshots(live: Snapshot, replayed: Snapshot) -> list[str]:
    """One line per difference, live database against the migrations' result."""
    lines = []
    for kind in ("tables", "columns", "indexes", "constraints"):
        have, want = live.get(kind, {}), replayed.get(kind, {})
        singular = {"indexes": "index"}.get(kind, kind[:-1])
        for label in sorted(set(have) - set(want)):
            if not _under_extra_table(kind, label, live, replayed):
                lines.append(
                    f"{label}: {singular} in the live database that no migration creates ({have[label]})"
                )
        for label in sorted(set(want) - set(have)):
            if not _under_missing_table(kind, label, live, replayed):
                lines.append(
                    f"{label}: {singular} the migrations create is missing in the live database ({want[label]})"
                )
        for label in sorted(set(have) & set(want)):
            if have[label] != want[label] and kind != "tables":
                lines.append(
                    f"{label}: live has {have[label]!r}, the migrations give {want[label]!r}"
                )
    for name in sorted(set(replayed["extensions"]) - set(live["extensions"])):
        lines.append(f"extension {name}: the migrations create it, the live database lacks it")
    return lines


def _under_extra_table(kind: str, label: str, live: Snapshot, replayed: Snapshot) -> bool:
    """A table added by hand is one difference, not one per column and index."""
    table = _table_of(kind, label)
    return table is not None and table in live["tables"] and table not in replayed["tables"]


def _under_missing_table(kind: str, label: str, live: Snapshot, replayed: Snapshot) -> bool:
    table = _table_of(kind, label)
    return table is not None and table in replayed["tables"] and table not in live["tables"]


def _table_of(kind: str, label: str) -> str | None:
    if kind == "tables":
        return None
    return label.rsplit(".", 1)[0] if kind == "columns" else label.split(" ", 1)[0]


def judge_drift(live: Snapshot, replayed: Snapshot, revisions: list[str]) -> CheckResult:
    differences = diff_snapshots(live, replayed)
    evidence = {
        "replayed_to": revisions,
        "compared": {k: len(v) for k, v in replayed.items()},
    }
    if not differences:
        return CheckResult.passed(
            ITEM,
            f"the live schema equals the migrations replayed to {', '.join(revisions)}",
            **evidence,
        )
    names = ", ".join(d.split(": ", 1)[0] for d in differences[:8])
    return CheckResult.failed(
        ITEM, f"{len(differences)} difference(s) between the live schema and its migrations: {names}",
        remediation="turn each hand-made change into a migration (alembic revision --autogenerate, "
        "review, deploy) or revert it; restore what a migration created and someone removed",
        expected={"differences": []}, differences=differences, **evidence,
    )  # fmt: skip


def replay_failed(exc: Exception, revisions: list[str]) -> CheckResult:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return CheckResult.failed(
        ITEM, f"the migrations do not build a schema from an empty database: {first}",
        remediation="fix the failing migration so that alembic upgrade head works on a fresh database",
        replayed_to=revisions,
    )  # fmt: skip


def check_schema_drift(
    live: Engine, replay: Engine, ini: Path, spec: DatabaseSpec, app: AppCode
) -> CheckResult:
    """Replay into the (empty, throwaway) database behind ``replay`` in the app's own
    interpreter (harness.checks.replay), prove it built there, and compare with ``live``."""
    live_url = live.url.render_as_string(hide_password=False)
    refuse_live_ini_url(ini, app, live_url)
    with database_errors(live), live.connect() as connection:
        revisions = replay_revisions(connection, ini, spec, app)
    try:
        run_replay(app, ini, replay.url.render_as_string(hide_password=False), live_url, revisions)
    except ReplayFailed as exc:  # an error inside the app's migrations is the finding
        return replay_failed(exc, revisions)
    require_built_here(replay, spec, revisions, app)
    with database_errors(replay), replay.connect() as connection:
        schemas = app_schemas(connection)
        replayed = snapshot(connection, schemas)
    with database_errors(live), live.connect() as connection:
        live_only = sorted(set(app_schemas(connection)) - set(schemas))
        current = snapshot(connection, schemas)
    # Alembic's bookkeeping table is migration-head's business, not a schema difference.
    version = _label("tables", spec.version_table_schema, spec.version_table, "")
    result = judge_drift(_without(current, version), _without(replayed, version), revisions)
    result.evidence["schemas_compared"] = schemas
    result.evidence["live_only_schemas_not_compared"] = live_only
    result.evidence["replayed_with"] = app.spec.python
    return result


def _without(snap: Snapshot, table: str) -> Snapshot:
    return {
        kind: {label: d for label, d in entries.items() if kind == "extensions" or
               (label if kind == "tables" else _table_of(kind, label)) != table}
        for kind, entries in snap.items()
    }  # fmt: skip


def replay_revisions(
    connection: Connection, ini: Path, spec: DatabaseSpec, app: AppCode
) -> list[str]:
    """The live database's recorded revisions when the scripts know them, else the heads."""
    script = script_directory(ini, app.spec.dir, app)
    recorded = read_db_revisions(connection, spec) or []
    if recorded and all(known_revision(script, rev) for rev in recorded):
        return recorded
    return sorted(script.get_heads())
