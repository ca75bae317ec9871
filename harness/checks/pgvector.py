"""pgvector and pgvector-usable: the extension is installed (recent enough) and works.

pgvector reads ``pg_extension``; when the extension is missing it also reads
``pg_available_extensions``, because the remedy differs: ``CREATE EXTENSION vector;`` when the
server ships it, "ask your provider" when it does not (DESIGN §1: managed Postgres).

pgvector-usable creates a ``vector(3)`` table with an HNSW index inside the run's throwaway
schema, inserts rows, and checks that ``<->`` returns them nearest first. Types and operators
are qualified with the extension's own schema, so it works where providers install
extensions into a schema of their own (e.g. ``extensions``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from harness.messages.core import msg
from harness.result import CheckResult
from harness.transport import writes
from harness.transport.db import database_errors, quote_ident

ITEM = "pgvector"
USABLE = "pgvector-usable"

# Small, unambiguous: every distance to the query differs by far more than HNSW's error.
ROWS = {1: (1.0, 0.0, 0.0), 2: (0.0, 1.0, 0.0), 3: (0.0, 0.0, 1.0), 4: (1.0, 1.0, 0.0), 5: (0.9, 0.2, 0.0)}
QUERY = (1.0, 0.05, 0.0)


@dataclass(frozen=True)
class Installed:
    version: str
    schema: str


def installed_pgvector(connection: Connection) -> Installed | None:
    row = connection.execute(text(
        "SELECT e.extversion, n.nspname FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'"
    )).first()  # fmt: skip
    return Installed(version=row[0], schema=row[1]) if row else None


def version_tuple(version: str) -> tuple[int, ...]:
    """``"0.8.1"`` → (0, 8, 1); a suffix such as ``0.7.0-dev`` is ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def check_pgvector(engine: Engine, min_version: str) -> CheckResult:
    with database_errors(engine), engine.connect() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        found = installed_pgvector(connection)
        available = connection.execute(text(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
        )).scalar()  # fmt: skip
    evidence = {"database": database, "installed_version": found and found.version,
                "available_version": available, "minimum_version": min_version}  # fmt: skip
    if found is None:
        return _not_installed(database, available, min_version, evidence)
    if version_tuple(found.version) < version_tuple(min_version):
        newer = available and version_tuple(available) >= version_tuple(min_version)
        return CheckResult.failed(
            ITEM, msg("pgvector.old", version=found.version, minimum=min_version),
            remediation=msg("pgvector.update") if newer
            else msg("pgvector.ask_newer", minimum=min_version, available=available),
            expected={"installed_version": f">= {min_version}"}, **evidence,
        )  # fmt: skip
    return CheckResult.passed(
        ITEM, msg("pgvector.pass", version=found.version, schema=found.schema, minimum=min_version),
        schema=found.schema, **evidence,
    )  # fmt: skip


def _not_installed(database: str, available: str | None, min_version: str, evidence: dict[str, Any]) -> CheckResult:
    if available:
        summary = msg("pgvector.missing_offered", database=database, available=available)
        remedy = msg("pgvector.create")
    else:
        summary = msg("pgvector.missing_not_offered", database=database)
        remedy = msg("pgvector.ask")
    return CheckResult.failed(
        ITEM, summary, remediation=remedy,
        expected={"installed_version": f">= {min_version}"}, **evidence,
    )  # fmt: skip


# ---------------------------------------------------------------- pgvector-usable


def expected_order() -> list[int]:
    return sorted(ROWS, key=lambda key: math.dist(ROWS[key], QUERY))


def _vector(values: tuple[float, ...]) -> str:
    return "[" + ",".join(f"{v:g}" for v in values) + "]"


def check_pgvector_usable(engine: Engine, schema: str, extension_schema: str) -> CheckResult:
    """Table, HNSW index, insert, ``<->`` query — inside ``schema``; the table is dropped after.
    ``engine`` is a writing one (``make_writer``); the table is recorded as a write."""
    table = f"{quote_ident(schema)}.hv_vectors"
    ext = quote_ident(extension_schema)
    try:
        with database_errors(engine), engine.begin() as connection:
            order, plan = _exercise(connection, table, ext)
            connection.execute(text(f"DROP TABLE {table}"))
        writes.record(engine, "create and drop table", f"{schema}.hv_vectors", purpose="pgvector-usable")
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return CheckResult.failed(
            USABLE, msg("pgvector.broken", error=first), remediation=msg("pgvector.broken_remedy"),
            schema=schema,
        )  # fmt: skip
    evidence = {"schema": schema, "order": order, "hnsw_index_used": "hv_vectors_hnsw" in plan}
    want = expected_order()
    if order != want:
        return CheckResult.failed(
            USABLE, msg("pgvector.order", order=order, want=want), remediation=msg("pgvector.order_remedy"),
            expected={"order": want}, **evidence,
        )  # fmt: skip
    return CheckResult.passed(USABLE, msg("pgvector.usable"), **evidence)


def _exercise(connection: Connection, table: str, ext: str) -> tuple[list[int], str]:
    connection.execute(text(f"CREATE TABLE {table} (id integer PRIMARY KEY, embedding {ext}.vector(3) NOT NULL)"))
    connection.execute(text(f"CREATE INDEX hv_vectors_hnsw ON {table} USING hnsw (embedding {ext}.vector_l2_ops)"))
    connection.execute(
        text(f"INSERT INTO {table} (id, embedding) VALUES (:id, CAST(:v AS {ext}.vector))"),
        [{"id": key, "v": _vector(values)} for key, values in ROWS.items()],
    )
    # With five rows the planner would rather scan; the point is to exercise the index.
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    query = (f"SELECT id FROM {table} ORDER BY embedding OPERATOR({ext}.<->) "
             f"CAST(:q AS {ext}.vector) LIMIT {len(ROWS)}")  # fmt: skip
    params = {"q": _vector(QUERY)}
    plan = "\n".join(connection.execute(text(f"EXPLAIN {query}"), params).scalars())
    return list(connection.execute(text(query), params).scalars()), plan
