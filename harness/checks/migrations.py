"""migration-head: the database's Alembic revision equals the head of the target's scripts.

The heads come from the script directory named by ``alembic_ini``, its paths resolved as the
alembic CLI run from ``[app] dir`` would resolve them; the revision ids are read from the
files without executing them where they are literals (harness.checks.revisions), else
alembic's own ``ScriptDirectory`` loads the files in this process (env.py never runs). Where a
revision file imports the app's own modules the heads are asked of the app's interpreter
instead. The database's revision is read straight from the version table with the harness's
sync driver, so a project whose ``env.py`` only knows an async URL (the MissingGreenlet trap)
works too. The replay for schema-drift lives in harness.checks.replay.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from harness.checks.backend import Backend, backend_of
from harness.checks.revisions import NotModelled, read_graph
from harness.config.alembic_ini import ini_section, is_package_location, package_folder
from harness.config.database import DatabaseSpec
from harness.errors import AppCodeError, ConfigError
from harness.messages.core import msg
from harness.result import CheckResult
from harness.stack.appcode import NO_DATABASE_URL, AppCode
from harness.transport.db import database_errors, quote_ident

ITEM = "migration-head"


def alembic_config(ini: Path, app_dir: Path | None = None) -> Config:
    """The ini as the alembic CLI run from ``app_dir`` (default: the ini's folder) reads it:
    a relative ``script_location`` is taken from there. ``prepend_sys_path`` is dropped: the
    harness process never puts the app's folder on its own path (app code runs in the app's
    interpreter, see harness.stack.appcode)."""
    if not ini.is_file():
        raise ConfigError(
            msg("head.ini_missing", ini=ini), hint=msg("head.ini_missing_hint")
        )
    try:
        config = Config(str(ini), ini_section=ini_section(ini))  # alembic -n NAME's section
        location = config.get_main_option("script_location")
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        raise AppCodeError(
            msg("head.ini_unreadable", ini=ini, error=exc), hint=msg("head.fix_file")
        ) from None
    if not location and (ini.parent / "env.py").is_file():
        # Flask-Migrate's layout (flask db init): no script_location, the ini sits in the
        # scripts folder itself, which Flask-Migrate hands to Alembic at run time.
        location = str(ini.parent.resolve())
    if not location:
        raise ConfigError(msg("head.no_script_location", ini=ini), hint=msg("head.add_it"))
    if is_package_location(location):  # found on disk: importing the package here is not allowed
        base = app_dir or ini.parent
        found = package_folder(location, (base, base / "src", ini.parent))
        location = str(found.resolve()) if found else location
    if ":" not in location or Path(location).is_absolute():  # not the "package:folder" form
        folder = (
            Path(location) if Path(location).is_absolute() else (app_dir or ini.parent) / location
        )
        config.set_main_option("script_location", str(folder).replace("%", "%%"))
    config.remove_main_option("prepend_sys_path")
    return config


def script_directory(ini: Path, app_dir: Path | None = None, app: AppCode | None = None) -> Scripts:
    """The scripts, with every revision file loaded (a broken chain raises ``CommandError``).

    A revision file that imports the app's modules cannot load here; with ``app`` the heads
    and revisions are then asked of the app's interpreter instead (JSON, see AppScripts)."""
    config = alembic_config(ini, app_dir)
    location = Path(config.get_main_option("script_location") or "")
    if ":" not in str(location) and not location.is_dir():
        raise ConfigError(
            msg("head.no_location_dir", location=location, base=app_dir or ini.parent),
            hint=msg("head.no_location_dir_hint"),
        )
    script = ScriptDirectory.from_config(config)
    try:
        script.revision_map.heads  # noqa: B018  (forces loading, so errors surface here)
    except CommandError:
        raise
    except Exception:
        if app is None:
            raise
        return AppScripts.load(app, ini)
    return script


def head_revisions(ini: Path, app_dir: Path | None = None, app: AppCode | None = None) -> Scripts:
    """The head check's revision graph: ids read from the files without executing them
    (harness.checks.revisions), ≥10x faster at 1,000 revisions; where a file's ids are not
    literals, or anything else is unusual, the loaded scripts of ``script_directory``."""
    config = alembic_config(ini, app_dir)
    location = config.get_main_option("script_location") or ""
    if ":" not in location and Path(location).is_dir():
        try:
            return read_graph(ScriptDirectory.from_config(config))
        except NotModelled:
            pass
    return script_directory(ini, app_dir, app)


class Scripts(Protocol):
    """What the checks read of a script directory: alembic's ScriptDirectory, or AppScripts."""

    dir: str

    def get_heads(self) -> Sequence[str]: ...

    def get_revision(self, revision: str) -> Any: ...

    def iterate_revisions(self, upper: str, lower: str) -> Iterable[Any]: ...


@dataclass
class AppScripts:
    """Heads and revisions as the app's interpreter loaded them (helpers/alembic_scripts.py)."""

    dir: str
    heads: list[str]
    revisions: dict[str, list[str]]

    @classmethod
    def load(cls, app: AppCode, ini: Path) -> AppScripts:
        env = app.environment(NO_DATABASE_URL) | {"HV_ALEMBIC_SECTION": ini_section(ini)}
        answer = app.helper("alembic_scripts", [str(ini)], env)
        return cls(answer["dir"], answer["heads"], answer["revisions"])

    def get_heads(self) -> list[str]:
        return self.heads

    def get_revision(self, revision: str) -> Any:
        return SimpleNamespace(revision=revision) if revision in self.revisions else None

    def iterate_revisions(self, upper: str, lower: str) -> list[Any]:
        """From ``upper`` down to (and with) ``lower``; "base" walks to the root."""
        seen: list[str] = []
        todo = [upper]
        while todo:
            rev = todo.pop(0)
            if rev in seen or rev not in self.revisions:
                continue
            seen.append(rev)
            if rev != lower:
                todo.extend(self.revisions[rev])
        return [SimpleNamespace(revision=r) for r in seen]


def version_table(spec: DatabaseSpec) -> str:
    return f"{quote_ident(spec.version_table_schema)}.{quote_ident(spec.version_table)}"


def read_db_revisions(connection: Connection, spec: DatabaseSpec) -> list[str] | None:
    """The rows of the version table, sorted; ``None`` when the table does not exist."""
    table = version_table(spec)
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
        return None
    return sorted(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())


def check_migration_head(
    engine: Engine, ini: Path, spec: DatabaseSpec, app: AppCode | None = None
) -> CheckResult:
    try:
        script = head_revisions(ini, app.spec.dir if app else None, app)
    except CommandError as exc:
        return CheckResult.failed(
            ITEM, msg("head.unloadable", folder=ini.parent, error=exc), remediation=msg("head.unloadable_remedy"),
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
    return _judge(script, heads, current, spec, evidence, backend_of(app.spec if app else None))


def _judge(
    script: Scripts,
    heads: list[str],
    current: list[str] | None,
    spec: DatabaseSpec,
    evidence: dict[str, Any],
    backend: Backend | None = None,
) -> CheckResult:
    b = backend or Backend()  # the app's migrate command in the remedies (flask db …)
    expected = {"db_revisions": heads}
    if len(heads) > 1:
        return CheckResult.failed(
            ITEM, f"the scripts have {len(heads)} heads ({', '.join(heads)}): a merge revision is needed",
            remediation=f"{b.cli} merge -m 'merge heads' {' '.join(heads)}, commit it, deploy, then {b.upgrade}",
            expected={"script_heads": "exactly one"}, **evidence,
        )  # fmt: skip
    table = f"{spec.version_table_schema}.{spec.version_table}"
    if current is None:
        return CheckResult.failed(
            ITEM, f"the database has no {table} table: the schema was built with create_all() "
            f"or never migrated (script head is {heads[0]})",
            remediation=f"if the schema already matches the scripts: {b.cli} stamp head; "
            f"otherwise run {b.upgrade} on an empty database",
            expected=expected, **evidence,
        )  # fmt: skip
    if not current:
        return CheckResult.failed(
            ITEM, f"{table} is empty: the database was never migrated (script head is {heads[0]})",
            remediation=b.upgrade, expected=expected, **evidence,
        )  # fmt: skip
    return _judge_recorded(script, heads[0], current, expected, evidence, b)


def _judge_recorded(
    script: Scripts,
    head: str,
    current: list[str],
    expected: dict[str, Any],
    evidence: dict[str, Any],
    b: Backend,
) -> CheckResult:
    """The version table has rows: known and at the head, known and behind, or unknown."""
    unknown = [rev for rev in current if not known_revision(script, rev)]
    if unknown:
        return CheckResult.failed(
            ITEM, msg("head.unknown", revisions=", ".join(unknown), head=head),
            remediation=msg("head.unknown_remedy", revision=unknown[0], folder=script.dir),
            expected=expected, **evidence,
        )  # fmt: skip
    if current == [head]:
        return CheckResult.passed(ITEM, msg("head.pass", head=head), **evidence)
    if len(current) > 1:
        return _several_rows(script, head, current, expected, evidence, b)
    pending = _pending(script, head, current)
    return CheckResult.failed(
        ITEM, f"the database is behind: at {', '.join(current)}, script head is {head} "
        f"({len(pending)} revision(s) not applied: {', '.join(pending)})",
        remediation=f"{b.upgrade} (in the release step, before the app starts)",
        expected=expected, pending=pending, **evidence,
    )  # fmt: skip


def _several_rows(
    script: Scripts, head: str, current: list[str], expected: dict[str, Any], evidence: dict[str, Any],
    b: Backend,
) -> CheckResult:
    """One script head but several version rows: a stale row left by a hand-run or
    interrupted migration. "upgrade head" would fail on it; purging to the newest row works."""
    newest = newest_revision(script, head, current)
    stale = [rev for rev in current if rev != newest]
    table = evidence["version_table"]
    then = "" if newest == head else f", then {b.upgrade}"
    return CheckResult.failed(
        ITEM, f"{table} has {len(current)} rows ({', '.join(current)}) though the scripts have one "
        f"head ({head}): the stale row(s) {', '.join(stale)} must go; the database is at {newest}",
        remediation=f"{b.cli} stamp --purge {newest}{then} (or DELETE FROM {table} WHERE "
        f"version_num IN ({', '.join(repr(r) for r in stale)}){then})",
        expected=expected, stale_rows=stale, **evidence,
    )  # fmt: skip


def newest_revision(script: Scripts, head: str, revisions: list[str]) -> str:
    """The revision nearest the head (iterate_revisions goes head → base)."""
    order = {rev.revision: n for n, rev in enumerate(script.iterate_revisions(head, "base"))}
    return min(revisions, key=lambda rev: order.get(rev, len(order)))


def known_revision(script: Scripts, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _pending(script: Scripts, head: str, current: list[str]) -> list[str]:
    """Revisions between the database's and the head, oldest first."""
    revisions = script.iterate_revisions(head, current[0] if len(current) == 1 else "base")
    return [r.revision for r in reversed(list(revisions)) if r.revision not in current]
