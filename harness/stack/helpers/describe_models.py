"""Describe an app's SQLAlchemy metadata as JSON (run in the app's interpreter).

Usage: python describe_models.py MODULE:ATTRIBUTE [IMPORT ...]   (cwd: the app's folder)
Imports each IMPORT module first (models spread over modules register themselves with the
metadata on import), then resolves MODULE:ATTRIBUTE to a MetaData (or anything with a
``.metadata``). Types are compiled for the PostgreSQL dialect, as the database would spell them.
Imports only the stdlib and SQLAlchemy (plus the app's own modules).
"""

import importlib
import json
import os
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]

from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql


def resolve(spec: str) -> object:
    module_name, _, attribute = spec.partition(":")
    value: object = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    if not isinstance(value, MetaData) and isinstance(getattr(value, "metadata", None), MetaData):
        value = value.metadata
    return value


def type_name(column, dialect) -> str | None:
    try:
        return column.type.compile(dialect=dialect)
    except Exception:  # noqa: BLE001  a type the dialect cannot spell: not compared
        return None


def describe(metadata: MetaData) -> dict:
    dialect = postgresql.dialect()
    tables = {}
    for table in metadata.sorted_tables:
        tables[table.fullname] = {
            "schema": table.schema,
            "name": table.name,
            "columns": {
                c.name: {"type": type_name(c, dialect), "nullable": bool(c.nullable)}
                for c in table.columns
            },
            "indexes": sorted(i.name for i in table.indexes if i.name),
            "foreign_keys": sorted(
                f"{fk.parent.name}->{fk.target_fullname}" for fk in table.foreign_keys
            ),
        }
    return tables


def main(argv: list[str]) -> int:
    sys.path.insert(0, os.getcwd())  # as `prepend_sys_path = .` and uvicorn would
    for name in argv[1:]:
        importlib.import_module(name)
    metadata = resolve(argv[0])
    if not isinstance(metadata, MetaData):
        print(
            f"TypeError: {argv[0]} is {type(metadata).__name__}, not a SQLAlchemy MetaData",
            file=sys.stderr,
        )
        return 2
    print("HV-JSON:" + json.dumps({"tables": describe(metadata)}), flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # The answer is out: skip the interpreter's teardown of every module the app imported
    # (about a second on a loaded machine, paid by every check that waits for this process).
    # Nothing is left for it to do: the app's migrations committed, the harness's throwaway
    # databases are dropped WITH (FORCE), stderr is line-buffered; a raised error exits normally.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
