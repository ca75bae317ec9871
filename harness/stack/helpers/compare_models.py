"""What Alembic's autogenerate sees between the app's models and the live database, as JSON
(run in the app's interpreter, from its folder).

Usage: python compare_models.py MODULE:ATTRIBUTE [--import MODULE ...] [--ini ALEMBIC_INI]
       [--flask APP_IMPORT]
The live database's URL comes in the environment as HV_MODELS_URL (never on the command line).
The options come from the app's own env.py (``include_object``, ``include_name``,
``include_schemas``, ``compare_type``, ``compare_server_default``): it runs online until its
``context.configure(...)``; where it cannot run, Alembic's defaults, and the answer says why.
The comparison runs on a connection of its own whose transaction is READ ONLY at the server,
so nothing it does can write. Schemas named ``hv_...`` (the harness's own) are left out.
Each difference comes back with the operation autogenerate would write for it.
"""

import argparse
import importlib
import importlib.util
import json
import os
import re
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p != HERE]

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool
from sqlalchemy.dialects import postgresql

_spec = importlib.util.spec_from_file_location("_hv_appalembic", os.path.join(HERE, "_appalembic.py"))
appalembic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(appalembic)
describe_models = appalembic.sibling("describe_models")

# What autogenerate reads from env.py's configure(); the rest (connection, url, ...) is env.py's.
AUTOGENERATE_OPTIONS = (
    "include_object", "include_name", "include_schemas", "compare_type", "compare_server_default",
    "version_table", "version_table_schema", "render_item", "user_module_prefix",
    "render_as_batch", "sqlalchemy_module_prefix", "alembic_module_prefix", "autogenerate_plugins",
)  # fmt: skip
DIALECT = postgresql.dialect()


def read_options(ini: str | None, flask_app: str | None, url: str = "") -> tuple[dict, dict]:
    """(the options for autogenerate, how they were found: shown in the evidence). env.py
    runs online pointed at ``url`` (an ini URL naming a compose host would not answer)."""
    if not ini:
        return {}, {"from": "Alembic's defaults", "reason": "the profile names no alembic_ini"}
    try:
        config = appalembic.app_config(ini, flask_app)
        if url and not flask_app:  # Flask-Migrate's env.py takes the URL from the app itself
            appalembic.point_at(config, url)
        captured = appalembic.env_options(config)
    except Exception as exc:  # noqa: BLE001  env.py cannot run here: say so, compare anyway
        reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        return {}, {"from": "Alembic's defaults", "reason": f"env.py could not run: {reason}"[:300]}
    options = {k: captured[k] for k in AUTOGENERATE_OPTIONS if k in captured}
    shown = {k: (v if isinstance(v, (bool, str, type(None))) else f"env.py {getattr(v, '__name__', type(v).__name__)}")
             for k, v in options.items()}  # fmt: skip
    return options, {"from": "env.py", **shown}


def without_harness_schemas(options: dict) -> dict:
    """The harness's own hv_ schemas (throwaway) are never the app's."""
    theirs = options.get("include_name")

    def include_name(name, type_, parent_names):
        if type_ == "schema" and name and name.startswith("hv_"):
            return False
        return theirs(name, type_, parent_names) if theirs else True

    return {**options, "include_name": include_name}


def with_driver(url: str, driver: str) -> str:
    """``url`` (any PostgreSQL scheme) for ``driver``."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", f"postgresql+{driver}://", url, count=1)


def tenant_schema(url: str, metadata, wanted: str, driver: str) -> str:
    """Where unqualified models live: ``wanted``, or for "*" the schema (not public, not
    PostgreSQL's, not the harness's) holding most of their tables (schema_translate_map)."""
    if wanted != "*":
        return wanted
    names = [t.name for t in metadata.tables.values() if t.schema is None]
    engine = create_engine(with_driver(url, driver), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = ANY(%(names)s)"
                " AND table_schema NOT IN ('public', 'information_schema')"
                " AND table_schema NOT LIKE 'pg\\_%%' AND table_schema NOT LIKE 'hv\\_%%'"
                " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", {"names": names}).first()
    finally:
        engine.dispose()
    return row[0] if row else "public"


def compare(url: str, metadata, options: dict, schema: str = "") -> list[dict]:
    for driver, module in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module):
            where = tenant_schema(url, metadata, schema, driver) if schema else ""
            # The models' unqualified tables are compared with the default schema: make it theirs.
            args = {"options": f"-c search_path={where}"} if where else {}
            engine = create_engine(with_driver(url, driver),
                                   poolclass=pool.NullPool, connect_args=args)  # fmt: skip
            try:
                with engine.connect() as connection:
                    return compare_on(connection, metadata, options)
            finally:
                engine.dispose()
    return compare_async(url, metadata, options)


def compare_async(url: str, metadata, options: dict) -> list[dict]:
    """Only asyncpg in the app's interpreter: the same comparison through run_sync."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def run() -> list[dict]:
        engine = create_async_engine(with_driver(url, "asyncpg")
                                     .replace("sslmode=", "ssl="), poolclass=pool.NullPool)  # fmt: skip
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare_on, metadata, options)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def compare_on(connection, metadata, options: dict) -> list[dict]:
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")  # the first statement: binding
    context = MigrationContext.configure(connection, opts={**options, "target_metadata": metadata})
    script = produce_migrations(context, metadata)
    found = []
    for leaf, wrapped in leaves(script.upgrade_ops):
        code = rendered(wrapped, context)
        diffs = leaf.to_diff_tuple()
        for diff in diffs if isinstance(diffs, list) else [diffs]:
            found.append({**describe(diff), "code": code})
    connection.rollback()
    return found


def leaves(upgrade_ops):
    """Each operation alone, with what renders it (a column's op inside its table's)."""
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            for inner in op.ops:
                yield inner, ops.ModifyTableOps(op.table_name, [inner], schema=op.schema)
        else:
            yield op, op


def rendered(op, context) -> str:
    text = render_python_code(ops.UpgradeOps(ops=[op]), migration_context=context)
    lines = [line.strip() for line in text.splitlines()]
    code = " ".join(line for line in lines if line and not line.startswith("#"))
    return code if len(code) <= 600 else code[:599] + "…"


def spelled(type_) -> str | None:
    try:
        return type_.compile(dialect=DIALECT)
    except Exception:  # noqa: BLE001  a type the dialect cannot spell
        return repr(type_)


def default_text(default) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if isinstance(arg, str):
        return arg
    try:
        return str(arg.compile(dialect=DIALECT))
    except Exception:  # noqa: BLE001
        return str(arg)


def where(table) -> dict:
    return {"schema": table.schema, "table": table.name}


def names(elements) -> list[str]:
    return [getattr(e, "name", None) or str(e) for e in elements]


def describe(diff: tuple) -> dict:
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return {"kind": kind, **where(diff[1])}
    if kind in ("add_column", "remove_column"):
        _, schema, table, column = diff
        return {"kind": kind, "schema": schema, "table": table, "column": column.name,
                "type": spelled(column.type)}  # fmt: skip
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        return {"kind": kind, **where(index.table), "name": index.name,
                "columns": names(index.expressions), "unique": bool(index.unique)}  # fmt: skip
    if kind in ("add_constraint", "remove_constraint"):
        constraint = diff[1]
        return {"kind": kind, **where(constraint.table), "name": constraint.name,
                "constraint": type(constraint).__name__, "columns": names(constraint.columns)}  # fmt: skip
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        return {"kind": kind, **where(fk.parent), "name": fk.name, "columns": list(fk.column_keys),
                "references": [e.target_fullname for e in fk.elements]}  # fmt: skip
    if kind.startswith("modify_") and len(diff) == 7:
        _, schema, table, column, _existing, database, models = diff
        if kind == "modify_type":
            database, models = spelled(database), spelled(models)
        elif kind == "modify_default":
            database, models = default_text(database), default_text(models)
        return {"kind": kind, "schema": schema, "table": table, "column": column,
                "database": database, "models": models}  # fmt: skip
    if kind in ("add_table_comment", "remove_table_comment"):
        return {"kind": kind, **where(diff[1])}
    return {"kind": kind, "repr": repr(diff)[:300]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("models")
    parser.add_argument("--import", dest="imports", action="append", default=[])
    parser.add_argument("--ini")
    parser.add_argument("--flask")
    args = parser.parse_args(argv)
    url = os.environ.pop("HV_MODELS_URL")
    sys.path.insert(0, os.getcwd())  # as `prepend_sys_path = .` and uvicorn would
    for name in args.imports:
        importlib.import_module(name)
    metadata = describe_models.resolve(args.models)
    if not hasattr(metadata, "sorted_tables"):
        print(f"TypeError: {args.models} is {type(metadata).__name__}, not a SQLAlchemy MetaData",
              file=sys.stderr)  # fmt: skip
        return 2
    if not metadata.tables:  # nothing to compare: the harness names what to import
        print("HV-JSON:" + json.dumps({"tables": 0, "options": {}, "differences": []}), flush=True)
        return 0
    options, shown = read_options(args.ini, args.flask, url)
    schema = os.environ.pop("HV_MODELS_SCHEMA", "")
    differences = compare(url, metadata, without_harness_schemas(options), schema)
    answer = {"tables": len(metadata.tables), "options": shown, "differences": differences}
    print("HV-JSON:" + json.dumps(answer, default=str), flush=True)
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
