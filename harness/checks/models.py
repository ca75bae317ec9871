"""models-match: the live schema has every table and column the app's models expect.

Alembic's autogenerate comparison of the app's ``MetaData`` (named in the profile as
``module:attribute``) against the live database; ``import pgvector.sqlalchemy`` teaches
reflection the ``vector`` type so ``Vector(8)`` compares cleanly. What the code expects and
the database lacks fails: that is the model column no migration creates, and every request
touching it answers 500. What the database has beyond the code is reported but passes
(another app's tables, hand-made extras: schema-drift's business).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData

from harness.config.database import DatabaseSpec
from harness.errors import ConfigError
from harness.result import CheckResult
from harness.transport.db import database_errors

ITEM = "models-match"

def load_metadata(spec: DatabaseSpec) -> MetaData:
    """Import ``module:attribute`` with the profile's folders on ``sys.path``."""
    assert spec.models is not None
    module_name, _, attribute = spec.models.partition(":")
    with _on_sys_path(spec.models_path):
        try:
            value: Any = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(
                f"database.models: cannot import {module_name!r}: {exc}.",
                hint=f"set database.models_path to the folder holding it (searched: {', '.join(map(str, spec.models_path))})",
            ) from None
    for part in attribute.split("."):
        value = getattr(value, part, None)
    if not isinstance(value, MetaData):
        raise ConfigError(
            f"database.models: {spec.models!r} is not a SQLAlchemy MetaData.",
            hint='name it as "module:Base.metadata"',
        )
    return value


@contextmanager
def _on_sys_path(folders: tuple[Path, ...]) -> Iterator[None]:
    added = [str(f) for f in folders if str(f) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for folder in added:
            sys.path.remove(folder)


def compare_models(connection: Connection, metadata: MetaData) -> list[tuple[Any, ...]]:
    """Alembic's autogenerate diff, flattened, limited to the schemas the models use."""
    import pgvector.sqlalchemy  # noqa: F401  (registers "vector" for reflection)
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    schemas = {table.schema for table in metadata.tables.values()}

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return name in schemas or (name == "public" and None in schemas) if type_ == "schema" else True

    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_schemas": True, "include_name": include_name},
    )
    flat: list[tuple[Any, ...]] = []
    for diff in compare_metadata(context, metadata):
        flat.extend(diff if isinstance(diff, list) else [diff])
    return flat


def _where(schema: str | None, table: str) -> str:
    return table if schema in (None, "public") else f"{schema}.{table}"


def classify_model_diffs(diffs: list[tuple[Any, ...]]) -> tuple[list[str], list[str]]:
    """(what the code expects and the database lacks, what the database has beyond the code)."""
    missing: list[str] = []
    extra: list[str] = []
    for diff in diffs:
        op = diff[0]
        if op == "add_table":
            missing.append(f"{_where(diff[1].schema, diff[1].name)}: table the models define is missing")
        elif op == "add_column":
            column = diff[3]
            missing.append(f"{_where(diff[1], diff[2])}.{column.name}: column the models define is missing ({column.type})")
        elif op == "modify_type":
            missing.append(f"{_where(diff[1], diff[2])}.{diff[3]}: the models expect {diff[6]}, the database has {diff[5]}")
        elif op == "remove_table":
            extra.append(f"{_where(diff[1].schema, diff[1].name)}: table in the database, not in the models")
        elif op == "remove_column":
            extra.append(f"{_where(diff[1], diff[2])}.{diff[3].name}: column in the database, not in the models")
        else:
            extra.append(f"{op}: {diff[1:]!r}"[:200])
    return missing, extra


def check_models_match(engine: Engine, metadata: MetaData, models: str) -> CheckResult:
    with database_errors(engine), engine.connect() as connection:
        diffs = compare_models(connection, metadata)
    missing, extra = classify_model_diffs(diffs)
    evidence = {"models": models, "tables_in_models": len(metadata.tables), "only_in_database": extra}
    if not missing:
        return CheckResult.passed(
            ITEM, f"the live schema has every table and column of {models}", **evidence
        )
    names = ", ".join(m.split(": ", 1)[0] for m in missing[:8])
    absent = [m for m in missing if "is missing" in m]
    # A type changed by hand is a plain difference: the app may well keep working, so no
    # "answers 500" for it; that is said only of tables and columns that are not there.
    summary = (
        f"the code expects {len(missing)} thing(s) the database lacks: {names} "
        "(every request touching them answers 500)"
        if absent
        else f"{len(missing)} column type(s) differ from the models: {'; '.join(missing[:4])}"
    )
    remedy = (
        "write the migration that creates them (alembic revision --autogenerate), deploy it and run alembic upgrade head"
        if absent
        else "put the column back to the models' type with a migration (or change the model to match); "
        "schema-drift names the hand-made change"
    )
    return CheckResult.failed(
        ITEM, summary,
        remediation=remedy, expected={"missing": []}, missing=missing, **evidence,
    )  # fmt: skip
