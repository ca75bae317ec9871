"""migration-head: the database's Alembic revision equals the head of the target's scripts.

The heads come from the script directory named by ``alembic_ini`` (alembic's own
``Config``/``ScriptDirectory``, no subprocess); the database's revision is read straight from
the version table with the harness's sync driver. ``env.py`` is never run for this check,
so a project whose ``env.py`` only knows an async URL (the MissingGreenlet trap) works too.

``replay_migrations`` runs the app's migrations into a throwaway database for schema-drift:
it hands env.py a sync connection in ``config.attributes["connection"]`` (the documented
Alembic recipe) and, in case env.py ignores that, points ``sqlalchemy.url``, ``-x url=`` and
the app's URL variable at the throwaway database too, so a replay can never reach the live one.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from harness.config.database import DatabaseSpec
from harness.errors import ConfigError
from harness.result import CheckResult
from harness.transport.db import database_errors, quote_ident

ITEM = "migration-head"


def alembic_config(ini: Path) -> Config:
    if not ini.is_file():
        raise ConfigError(f"alembic_ini: {ini} does not exist.", hint="fix alembic_ini in targets.toml")
    return Config(str(ini))


def script_directory(ini: Path) -> ScriptDirectory:
    """The scripts, with every revision file loaded (a broken chain raises ``CommandError``)."""
    script = ScriptDirectory.from_config(alembic_config(ini))
    script.revision_map.heads  # noqa: B018  (forces loading, so errors surface here)
    return script


def version_table(spec: DatabaseSpec) -> str:
    return f"{quote_ident(spec.version_table_schema)}.{quote_ident(spec.version_table)}"


def read_db_revisions(connection: Connection, spec: DatabaseSpec) -> list[str] | None:
    """The rows of the version table, sorted; ``None`` when the table does not exist."""
    table = version_table(spec)
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
        return None
    return sorted(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())


def check_migration_head(engine: Engine, ini: Path, spec: DatabaseSpec) -> CheckResult:
    try:
        script = script_directory(ini)
    except CommandError as exc:
        return CheckResult.failed(
            ITEM, f"the Alembic scripts in {ini.parent} cannot be loaded: {exc}",
            remediation="fix the migration chain (a missing or renamed revision file?)",
            alembic_ini=str(ini),
        )  # fmt: skip
    heads = sorted(script.get_heads())
    with database_errors(engine), engine.connect() as connection:
        current = read_db_revisions(connection, spec)
    evidence = {
        "script_heads": heads,
        "db_revisions": current,
        "version_table": f"{spec.version_table_schema}.{spec.version_table}",
        "script_location": script.dir,
    }
    return _judge(script, heads, current, spec, evidence)


def _judge(
    script: ScriptDirectory,
    heads: list[str],
    current: list[str] | None,
    spec: DatabaseSpec,
    evidence: dict[str, Any],
) -> CheckResult:
    expected = {"db_revisions": heads}
    if len(heads) > 1:
        return CheckResult.failed(
            ITEM, f"the scripts have {len(heads)} heads ({', '.join(heads)}): a merge revision is needed",
            remediation=f"alembic merge -m 'merge heads' {' '.join(heads)}, commit it, deploy, then alembic upgrade head",
            expected={"script_heads": "exactly one"}, **evidence,
        )  # fmt: skip
    table = f"{spec.version_table_schema}.{spec.version_table}"
    if current is None:
        return CheckResult.failed(
            ITEM, f"the database has no {table} table: the schema was built with create_all() "
            f"or never migrated (script head is {heads[0]})",
            remediation="if the schema already matches the scripts: alembic stamp head; "
            "otherwise run alembic upgrade head on an empty database",
            expected=expected, **evidence,
        )  # fmt: skip
    if not current:
        return CheckResult.failed(
            ITEM, f"{table} is empty: the database was never migrated (script head is {heads[0]})",
            remediation="alembic upgrade head", expected=expected, **evidence,
        )  # fmt: skip
    return _judge_recorded(script, heads[0], current, expected, evidence)


def _judge_recorded(
    script: ScriptDirectory, head: str, current: list[str], expected: dict[str, Any], evidence: dict[str, Any]
) -> CheckResult:
    """The version table has rows: known and at the head, known and behind, or unknown."""
    unknown = [rev for rev in current if not known_revision(script, rev)]
    if unknown:
        return CheckResult.failed(
            ITEM, f"the database is at revision {', '.join(unknown)}, which the scripts do not know "
            f"(script head is {head}): the deployed code is older than the database, or a "
            "migration file is missing from the image",
            remediation=f"deploy the code that contains revision {unknown[0]} (check the image "
            f"ships {script.dir}/versions); do not stamp over it",
            expected=expected, **evidence,
        )  # fmt: skip
    if current == [head]:
        return CheckResult.passed(ITEM, f"the database is at the script head {head}", **evidence)
    if len(current) > 1:
        return _several_rows(script, head, current, expected, evidence)
    pending = _pending(script, head, current)
    return CheckResult.failed(
        ITEM, f"the database is behind: at {', '.join(current)}, script head is {head} "
        f"({len(pending)} revision(s) not applied: {', '.join(pending)})",
        remediation="alembic upgrade head (in the release step, before the app starts)",
        expected=expected, pending=pending, **evidence,
    )  # fmt: skip


def _several_rows(
    script: ScriptDirectory, head: str, current: list[str], expected: dict[str, Any], evidence: dict[str, Any]
) -> CheckResult:
    """One script head but several version rows: a stale row left by a hand-run or
    interrupted migration. "upgrade head" would fail on it; purging to the newest row works."""
    newest = newest_revision(script, current)
    stale = [rev for rev in current if rev != newest]
    table = evidence["version_table"]
    then = "" if newest == head else ", then alembic upgrade head"
    return CheckResult.failed(
        ITEM, f"{table} has {len(current)} rows ({', '.join(current)}) though the scripts have one "
        f"head ({head}): the stale row(s) {', '.join(stale)} must go; the database is at {newest}",
        remediation=f"alembic stamp --purge {newest}{then} (or DELETE FROM {table} WHERE "
        f"version_num IN ({', '.join(repr(r) for r in stale)}){then})",
        expected=expected, stale_rows=stale, **evidence,
    )  # fmt: skip


def newest_revision(script: ScriptDirectory, revisions: list[str]) -> str:
    """The revision nearest the head (walk_revisions goes head → base)."""
    order = {rev.revision: n for n, rev in enumerate(script.walk_revisions())}
    return min(revisions, key=lambda rev: order.get(rev, len(order)))


def known_revision(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _pending(script: ScriptDirectory, head: str, current: list[str]) -> list[str]:
    """Revisions between the database's and the head, oldest first."""
    revisions = script.iterate_revisions(head, current[0] if len(current) == 1 else "base")
    return [r.revision for r in reversed(list(revisions)) if r.revision not in current]


# ---------------------------------------------------------------- replay (for schema-drift)


def replay_migrations(
    ini: Path, connection: Connection, url: str, revisions: list[str], url_env: str
) -> None:
    """Upgrade the (throwaway) database behind ``connection`` to each of ``revisions``."""
    config = alembic_config(ini)
    config.attributes["connection"] = connection
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    with _environ({url_env: url, "DATABASE_URL": url}):
        for revision in revisions:
            command.upgrade(config, revision)


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
