"""A declared flow's own rows: found by run tag AND by ids captured when they were created.

Matching the tag case-insensitively and by captured id means an app that alters the tag (a
trigger that upper-cases names) still has its rows found. The fingerprint is only about
these rows (zero before the flow, zero after cleanup), so outside traffic writing the same
tables during the run is no failure. The janitor removes older runs' rows the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from harness.config.targets import Target
from harness.errors import ConfigError
from harness.flow.api import TAG_PREFIX
from harness.flow.db import like_prefix, run_started
from harness.flow.declare import FlowSpec, RowTable, flows_spec
from harness.flow.steps import FlowContext
from harness.result import CheckResult
from harness.transport import writes
from harness.transport.liveness import DeadRun, why_sweep

CLEANUP = "cleanup"
_ANY_RUN = f"^{TAG_PREFIX}r[0-9]{{8}}t[0-9]{{6}}[0-9a-z]*-"
_RUN_ID = re.compile(rf"^{TAG_PREFIX}(r\d{{8}}t\d{{6}}[0-9a-z]*)-", re.IGNORECASE)


def require_tables(engine: Engine, spec: FlowSpec) -> None:
    """Every declared table and column exists, or one ConfigError line naming the first missing."""
    with engine.connect() as connection:
        for rows in spec.rows:
            where = f"{spec.where}.rows ({rows.table})"
            if (
                connection.execute(text("SELECT to_regclass(:t)"), {"t": rows.table}).scalar()
                is None
            ):
                raise ConfigError(f"{where}: table {rows.table!r} does not exist in the target database.",
                                  hint="map the table the flow writes (schema.name)")  # fmt: skip
            schema, _, name = rows.table.rpartition(".")
            found = set(connection.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :n "
                "AND table_schema = coalesce(nullif(:s, ''), current_schema())"), {"n": name, "s": schema}).scalars())  # fmt: skip
            missing = [c for c in (rows.id_column, *rows.tag_columns) if c not in found]
            if missing:
                raise ConfigError(f"{where}: column {missing[0]!r} does not exist in {rows.table}.",
                                  hint=f"its columns: {', '.join(sorted(found))}")  # fmt: skip


def _where(rows: RowTable) -> str:
    tagged = [f"lower({c}::text) LIKE lower(:p) ESCAPE '\\'" for c in rows.tag_columns]
    if rows.ids:
        tagged.append(f"{rows.id_column}::text = ANY(:ids)")
    return " OR ".join(tagged)


def _ids(rows: RowTable, contexts: list[FlowContext]) -> list[str]:
    return [str(v) for c in contexts for v in c.captured_ids.get(rows.ids, [])]


def own_rows(
    engine: Engine, spec: FlowSpec, prefix: str, contexts: list[FlowContext]
) -> dict[str, int]:
    """How many rows of each declared table are this worker's (by tag or captured id)."""
    counts = {}
    with engine.connect() as connection:
        for rows in spec.rows:
            sql = f"SELECT count(*) FROM {rows.table} WHERE {_where(rows)}"
            counts[rows.table] = int(
                connection.execute(text(sql), _params(rows, prefix, contexts)).scalar() or 0
            )
    return counts


def delete_rows(
    connection: Connection, spec: FlowSpec, prefix: str, contexts: list[FlowContext]
) -> dict[str, int]:
    removed = {}
    for rows in reversed(spec.rows):  # declared parent first, so children go first
        sql = f"DELETE FROM {rows.table} WHERE {_where(rows)}"
        removed[rows.table] = int(
            connection.execute(text(sql), _params(rows, prefix, contexts)).rowcount or 0
        )
    return removed


def _params(rows: RowTable, prefix: str, contexts: list[FlowContext]) -> dict[str, Any]:
    params: dict[str, Any] = {"p": like_prefix(prefix)} if rows.tag_columns else {}
    if rows.ids:
        params["ids"] = _ids(rows, contexts)
    return params


def delete_recorded(
    writer: Engine, spec: FlowSpec, prefix: str, contexts: list[FlowContext], purpose: str = "cleanup"
) -> dict[str, int]:
    """``delete_rows`` in one transaction of a writing engine, recorded as writes."""
    with writer.begin() as connection:
        removed = delete_rows(connection, spec, prefix, contexts)
    for table, count in removed.items():
        if count:
            writes.record(writer, "delete rows", table, count=count, tag=f"{prefix}*", purpose=purpose)
    return removed


def cleanup(writer: Engine, spec: FlowSpec, prefix: str, contexts: list[FlowContext],
            before: dict[str, int]) -> CheckResult:  # fmt: skip
    """Delete the flow's rows (``writer``: a writing engine); fail when one remains or the
    own-row fingerprint differs."""
    removed = delete_recorded(writer, spec, prefix, contexts)
    after = own_rows(writer, spec, prefix, contexts)
    evidence: dict[str, Any] = {"flow": spec.name, "tag_prefix": prefix, "removed": removed,
                "own_rows_before": before, "own_rows_after": after}  # fmt: skip
    left = {t: n for t, n in after.items() if n}
    if not left and after == before:
        return CheckResult.passed(
            CLEANUP,
            f"flow {spec.name!r}: removed {sum(removed.values())} own row(s); none left",
            **evidence,
        )
    return CheckResult.failed(
        CLEANUP, f"flow {spec.name!r}: {', '.join(f'{n} tagged row(s) left in {t}' for t, n in left.items()) or 'own rows existed before the flow'}",
        remediation=f"rows the flow wrote are not all matched by [{spec.where}.rows]: declare every table it "
        "writes with its tag columns, or capture the created ids (ids = capture name)",
        **evidence,
    )  # fmt: skip


# ---------------------------------------------------------------- janitor


def sweep_declared_rows(
    engine: Engine, ttl_s: float, target: Target | None = None, dead: DeadRun | None = None
) -> list[str]:
    """Janitor sweeper: the rows of every declared flow from dead runs (or runs older than ``ttl_s``)."""
    if target is None:
        return []
    removed = []
    now = datetime.now(UTC)
    for spec in flows_spec(target):
        try:
            require_tables(engine, spec)
        except ConfigError:
            continue  # the flow's own test reports the mapping (exit 4); nothing to sweep here
        for run_id in sorted(_tagged_runs(engine, spec)):
            started = run_started(run_id)
            why = started and why_sweep(run_id, started, now, ttl_s, dead)
            if not why:
                continue
            counts = delete_recorded(engine, spec, f"{TAG_PREFIX}{run_id}-", [], f"janitor: {why}")
            what = ", ".join(f"{n} row(s) of {t}" for t, n in counts.items() if n)
            removed.append(f"flow {spec.name} rows of run {run_id} ({why}): {what or 'none'}")
    return removed


def _tagged_runs(engine: Engine, spec: FlowSpec) -> set[str]:
    found: set[str] = set()
    with engine.connect() as connection:
        for rows in spec.rows:
            for column in rows.tag_columns:
                sql = f"SELECT DISTINCT substring(lower({column}::text) from :re) FROM {rows.table} WHERE {column}::text ~* :re"
                for prefix in connection.execute(text(sql), {"re": _ANY_RUN}).scalars():
                    match = _RUN_ID.match(prefix or "")
                    if match:
                        found.add(match.group(1).lower())
    return found
