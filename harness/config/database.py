"""The ``[targets.NAME.database]`` profile section: what the database checks need to know.

Every key is optional; the defaults fit the reference app and most Alembic projects::

    [targets.staging.database]
    pgvector_min_version = "0.5.0"       # pgvector item: minimum extension version
    version_table = "alembic_version"    # Alembic's version_table / version_table_schema
    version_table_schema = "public"
    models = "app.models:Base.metadata"  # models-match: the app's SQLAlchemy MetaData
    models_import = ["app.models.user"]  # modules to import first (models spread over modules)
    models_path = ["src"]                # extra folders for it (it loads from [app] dir anyway)
    models_schema = "*"                  # where models without a schema live (default public;
                                         # "*": any schema, per-tenant schema_translate_map)
    schema_ttl_s = 21600                 # janitor: drop hv_ schemas older than this (6 h)
    throwaway = true                     # may the harness create hv_ schemas / replay databases
    ignore_schemas = ["audit"]           # schema-drift: schemas another tool owns (not drift)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

SECTION = "database"
# The janitor's default age limit for hv_ objects and tagged rows (6 h).
DEFAULT_TTL_S = 6 * 3600.0
DEFAULT_PGVECTOR_MIN = "0.5.0"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_MODELS = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


@dataclass(frozen=True)
class DatabaseSpec:
    pgvector_min_version: str = DEFAULT_PGVECTOR_MIN
    version_table: str = "alembic_version"
    version_table_schema: str = "public"
    models: str | None = None
    models_path: tuple[Path, ...] = ()
    models_import: tuple[str, ...] = ()
    schema_ttl_s: float = DEFAULT_TTL_S
    throwaway: bool = True
    ignore_schemas: tuple[str, ...] = ()
    models_schema: str = "public"


_KNOWN = {
    "pgvector_min_version", "version_table", "version_table_schema", "models",
    "models_path", "models_import", "schema_ttl_s", "throwaway", "ignore_schemas",
    "models_schema",
}  # fmt: skip


def database_spec(target: Target) -> DatabaseSpec:
    """Read and validate ``[targets.NAME.database]``; a bad key is a ``ConfigError``."""
    table = target.section(SECTION)
    where = f"targets.{target.name}.{SECTION}"
    reject_unknown_keys(table, _KNOWN, where)
    defaults = DatabaseSpec()
    return DatabaseSpec(
        pgvector_min_version=_matching(table, "pgvector_min_version", _VERSION, where)
        or defaults.pgvector_min_version,
        version_table=_matching(table, "version_table", _IDENT, where) or defaults.version_table,
        version_table_schema=_matching(table, "version_table_schema", _IDENT, where)
        or defaults.version_table_schema,
        models=_matching(table, "models", _MODELS, where),
        models_path=_models_path(table, target, where),
        models_import=_modules(table, where),
        schema_ttl_s=_ttl(table, where, defaults.schema_ttl_s),
        throwaway=_bool(table, "throwaway", where, default=not target.production),
        ignore_schemas=_names(table, "ignore_schemas", where),
        models_schema=_models_schema(table, where),
    )


def _models_schema(table: Mapping[str, Any], where: str) -> str:
    value = table.get("models_schema", "public")
    if not isinstance(value, str) or not (value == "*" or _IDENT.match(value)):
        raise ConfigError(msg("dbcfg.models_schema", where=where, value=repr(value)), hint=msg("dbcfg.models_schema_hint"))
    return value


def _names(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(
        isinstance(v, str) and _IDENT.match(v) for v in values
    ):
        raise ConfigError(msg("dbcfg.schema_list", where=where, key=key, value=repr(values)),
                          hint=msg("dbcfg.schema_list_hint", key=key))  # fmt: skip
    return tuple(values)


def _matching(table: Mapping[str, Any], key: str, pattern: re.Pattern[str], where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.match(value):
        examples = {
            "models": '"app.models:Base.metadata"',
            "pgvector_min_version": '"0.5.0"',
        }
        raise ConfigError(
            msg("dbcfg.not_valid", where=where, key=key, value=repr(value)),
            hint=msg("dbcfg.example", key=key, value=examples.get(key, repr("alembic_version"))),
        )
    return value


def _models_path(table: Mapping[str, Any], target: Target, where: str) -> tuple[Path, ...]:
    """Explicit folders first, then the app's folder and the alembic.ini folder."""
    raw = table.get("models_path", [])
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(msg("dbcfg.models_path", where=where))
    # Relative to targets.toml; the app's folder needs no entry: the models load from there.
    folders = [(target.base_dir / Path(v).expanduser()).resolve() for v in values]
    return tuple(dict.fromkeys(folders))


def _modules(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = table.get("models_import", [])
    if not isinstance(value, list) or not all(isinstance(v, str) and re.match(r"^[A-Za-z_][\w.]*$", v) for v in value):
        raise ConfigError(
            msg("dbcfg.models_import", where=where), hint=msg("dbcfg.models_import_hint"),
        )
    return tuple(value)


def _ttl(table: Mapping[str, Any], where: str, default: float) -> float:
    value = table.get("schema_ttl_s", default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(
            msg("dbcfg.ttl", where=where, value=repr(value)), hint=msg("dbcfg.ttl_hint"),
        )
    return float(value)


def _bool(table: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(msg("dbcfg.bool", where=where, key=key, value=repr(value)))
    return value
