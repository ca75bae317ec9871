"""Sequences behind their columns: the next insert takes an id that is already there.

A table restored from a dump without its sequence, rows copied in with explicit ids, a
``setval`` by hand: the column's sequence then hands out an id at or below the column's
maximum, and the next insert collides (``UniqueViolation`` on the primary key), which the
app shows as a 409 or a 500 on a route that has nothing wrong with it. Read from the
catalogs and one ``max()`` per owned column; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import ProgrammingError

from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.transport.db import database_errors, quote_ident

ITEM = "schema-drift"
# Sequences owned by a column (serial: 'a', identity: 'i'), with what they hand out next.
_OWNED = text("""
SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname,
       CASE WHEN ps.last_value IS NULL THEN ps.start_value ELSE ps.last_value + ps.increment_by END,
       ps.increment_by
FROM pg_class s
JOIN pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
JOIN pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = s.relname
WHERE s.relkind = 'S' AND tn.nspname = ANY(:schemas)
ORDER BY 1, 2
""")


@dataclass(frozen=True)
class Behind:
    sequence: str
    column: str
    next_value: int
    maximum: int

    def line(self) -> str:
        return msg("seq.behind", sequence=self.sequence, next=self.next_value, column=self.column, maximum=self.maximum)

    def remedy(self) -> str:
        table, _, column = self.column.rpartition(".")
        return f"SELECT setval('{self.sequence}', (SELECT max({column}) FROM {table}))"


def sequences_behind(connection: Connection, schemas: list[str]) -> tuple[list[Behind], list[str]]:
    """Sequences at or below their column's maximum, and the columns that could not be read."""
    behind, unread = [], []
    for seq_schema, seq, schema, table, column, next_value, step in connection.execute(
        _OWNED, {"schemas": schemas}
    ):
        qualified = f"{quote_ident(schema)}.{quote_ident(table)}"
        try:
            with connection.begin_nested():
                maximum = connection.execute(
                    text(f"SELECT max({quote_ident(column)}) FROM {qualified}")
                ).scalar()
        except ProgrammingError:  # no SELECT on that table: say so, judge the others
            unread.append(f"{schema}.{table}.{column}")
            continue
        if maximum is not None and step > 0 and int(maximum) >= int(next_value):
            name = seq if seq_schema == "public" else f"{seq_schema}.{seq}"
            where = f"{table}.{column}" if schema == "public" else f"{schema}.{table}.{column}"
            behind.append(Behind(name, where, int(next_value), int(maximum)))
    return behind, unread


def check_sequences(engine: Engine, schemas: list[str]) -> CheckResult:
    with database_errors(engine), engine.connect() as connection:
        behind, unread = sequences_behind(connection, schemas)
    evidence = {"sequences_behind": [b.line() for b in behind], "columns_not_read": unread}
    if not behind:
        return CheckResult.passed(
            ITEM, msg("seq.pass"), **evidence
        )
    return CheckResult.failed(
        ITEM,
        msg("seq.fail", n=len(behind), lines=sentences(*(b.line() for b in behind))),
        remediation=msg("seq.remedy", statements="; ".join(b.remedy() for b in behind)),
        expected={"sequences_behind": []},
        **evidence,
    )
