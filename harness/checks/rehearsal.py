"""migration-rehearsal: the pending revisions apply to a copy of the live data.

A ``NOT NULL`` column without a default passes every check on an empty replay and fails on
staging's rows; a table that ``create_all()`` made fails the deploy with ``DuplicateTable``.
So, when the live database is behind the script head, it is copied into a throwaway
database (harness.checks.dbcopy) and the pending revisions are applied there one at a time
with the app's own command — its interpreter, its env.py, the URL in the form the deployed
app is configured with (``[rehearsal] url_scheme``, e.g. ``postgresql+asyncpg``) — and, where
every pending revision has a downgrade, down and up again. What fails is reported per
revision with the error, the statement and the remedy. The copy's version table must show
each revision afterwards: a migrate step that wrote elsewhere is a configuration error, and
the live database's revision is read again at the end to prove it was not touched.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from harness.checks.dbcopy import copy_database
from harness.checks.migrations import (
    head_revisions,
    known_revision,
    read_db_revisions,
    version_table,
)
from harness.checks.revisions import RevisionGraph
from harness.config.alembic_ini import ini_section
from harness.config.database import DatabaseSpec
from harness.config.rehearsal import RehearsalSpec
from harness.errors import ConfigError
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.secrets import redact
from harness.stack.appcode import AppCode, live_secrets
from harness.transport import db

ITEM = "migration-rehearsal"

# The remedy for each PostgreSQL condition (texts: catalog ids rehearsal.remedy.<name>).
REMEDIES = {name: f"rehearsal.remedy.{name}" for name in (
    "NotNullViolation", "DuplicateTable", "UniqueViolation", "ForeignKeyViolation", "CheckViolation",
    "LockNotAvailable", "MissingGreenlet",
)}  # fmt: skip
REMEDIES["DuplicateObject"] = REMEDIES["DuplicateColumn"] = REMEDIES["DuplicateTable"]
REMEDIES["QueryCanceled"] = REMEDIES["LockNotAvailable"]
_ERROR_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Greenlet|Violation|Failure)\w*): "
                         r"(?P<message>.*)$", re.MULTILINE)  # fmt: skip
_INNER = re.compile(r"^\((?P<inner>[\w.]+)\) ")
# The driver's own class names the PostgreSQL condition (asyncpg adds "Error").
_DRIVER = re.compile(r"(?:asyncpg\.exceptions|psycopg2?\.errors)\.(?P<name>\w+?)(?:Error)?\b")
_DRIVER_LINE = re.compile(r"^(?:asyncpg\.exceptions|psycopg2?\.errors)\.(?P<name>\w+?)(?:Error)?: ", re.MULTILINE)
_SQL = re.compile(r"\[SQL: (?P<sql>.*?)\]\n", re.DOTALL)


def alembic_argv(app: AppCode, ini: Path, *args: str) -> tuple[list[str], Path]:
    """The app's own migrate command, one step of it: its interpreter, from its folder
    (Flask-Migrate's ``flask db`` where the app's migrations run in its app context)."""
    if app.spec.migrations == "flask" and app.spec.wsgi:
        # FLASK_APP in [app] env: a Flask before 2.2, which has no --app option.
        named = [] if "FLASK_APP" in app.spec.env else ["--app", app.spec.wsgi]
        parts = ["{python}", "-m", "flask", *named, "db", *args, "-d", str(ini.parent)]
        return app.command(parts), app.spec.dir
    section = ini_section(ini)  # an ini with only [alembic:NAME] sections: alembic -n NAME
    named = ["-n", section] if section != "alembic" else []
    return app.command(["{python}", "-m", "alembic", "-c", str(ini), *named, *args]), app.spec.dir


def pending_revisions(graph: Any, current: list[str] | None) -> list[str] | None:
    """Oldest first; ``None`` when there is nothing a rehearsal can do (see migration-head)."""
    heads = list(graph.get_heads())
    if len(heads) != 1 or len(current or []) > 1 or any(not known_revision(graph, rev) for rev in current or []):
        return None
    lower = current[0] if current else "base"
    revisions = [r.revision for r in graph.iterate_revisions(heads[0], lower)]
    return [rev for rev in reversed(revisions) if rev not in (current or [])]


def rehearse(live: Engine, ini: Path, spec: DatabaseSpec, rehearsal: RehearsalSpec, copy_name: str,
             run_id: str, app: AppCode, *, writer: Engine) -> CheckResult:  # fmt: skip
    """``live`` reads (read-only); ``writer`` makes and drops the copy (a recorded write)."""
    graph = head_revisions(ini, app.spec.dir, app)
    with db.database_errors(live), live.connect() as connection:
        current = read_db_revisions(connection, spec)
    pending = pending_revisions(graph, current)
    if not pending:
        at = ", ".join(current or []) or msg("rehearsal.nothing_at")
        return CheckResult.passed(ITEM, msg("rehearsal.nothing", at=at), db_revisions=current, pending=pending or [])
    with db.database_errors(writer):
        info = copy_database(writer, copy_name, run_id)
    try:
        result = _rehearse_on_copy(live, ini, graph, pending, rehearsal, copy_name, app, spec)
    finally:
        db.drop_database(writer, copy_name, "migration-rehearsal")
    with db.database_errors(live), live.connect() as connection:
        if read_db_revisions(connection, spec) != current:
            raise ConfigError(msg("rehearsal.revision_moved"),
                              hint=msg("rehearsal.read_url_from", names=", ".join(app.spec.database_env)))  # fmt: skip
    result.evidence.update({"db_revisions": current, "pending": pending, **info.evidence()})
    return result


def _rehearse_on_copy(live: Engine, ini: Path, graph: Any, pending: list[str], rehearsal: RehearsalSpec,
                      copy_name: str, app: AppCode, spec: DatabaseSpec) -> CheckResult:  # fmt: skip
    copy = db.make_engine(db.database_url_for(live, copy_name))
    url = copy.url.render_as_string(hide_password=False)
    env = app.environment(url, strip=live_secrets(live.url.render_as_string(hide_password=False)))
    if rehearsal.url_scheme:  # the form the deployed app is given, where database_env says less
        for name in app.spec.database_env:
            if env.get(name, "").startswith("postgres"):
                env[name] = rehearsal.url_scheme + env[name][env[name].index("://"):]
    steps: list[dict[str, Any]] = []
    try:
        for revision in pending:
            failure = _step(app, ini, env, rehearsal, (copy, spec), steps, "upgrade", revision, expect=revision)
            if failure:
                return _failed(revision, failure, steps, rehearsal)
        if rehearsal.round_trip and all(_has_downgrade(graph, rev) for rev in pending):
            for revision in reversed(pending):
                below = _down_of(graph, revision)
                failure = _step(app, ini, env, rehearsal, (copy, spec), steps, "downgrade", below, expect=below)
                if failure:
                    return _failed(revision, failure, steps, rehearsal, when=msg("rehearsal.when.downgrade"))
            failure = _step(app, ini, env, rehearsal, (copy, spec), steps, "upgrade", pending[-1], expect=pending[-1])
            if failure:
                return _failed(pending[-1], failure, steps, rehearsal, when=msg("rehearsal.when.again"))
    finally:
        copy.dispose()
    trip = msg("rehearsal.round_trip_passed") if len(steps) > len(pending) else ""
    summary = sentences(msg("rehearsal.pass", n=len(pending), revisions=", ".join(pending)), trip)
    return CheckResult.passed(ITEM, summary, steps=steps, url_scheme=rehearsal.url_scheme)


def _step(app: AppCode, ini: Path, env: dict[str, str], rehearsal: RehearsalSpec, copy: tuple[Engine, DatabaseSpec],
          steps: list[dict[str, Any]], verb: str, revision: str, *, expect: str) -> dict[str, str] | None:  # fmt: skip
    """One alembic command on the copy; ``None`` when it worked and the copy's version table
    (where the profile says, as on the live database: version_table_schema) shows it."""
    argv, cwd = alembic_argv(app, ini, verb, revision)
    started = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=rehearsal.timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "Timeout", "message": msg("rehearsal.timeout", verb=verb, revision=revision, seconds=f"{rehearsal.timeout_s:g}"),
                "statement": "", "error_name": "QueryCanceled"}  # fmt: skip
    steps.append({"command": f"alembic {verb} {revision}", "seconds": round(time.monotonic() - started, 2),
                  "exit": proc.returncode})  # fmt: skip
    if proc.returncode != 0:
        return parse_failure(redact(proc.stdout + proc.stderr))
    engine, spec = copy
    with engine.connect() as connection:
        at = read_db_revisions(connection, spec) or []
    if at != ([] if expect == "base" else [expect]):
        raise ConfigError(f"alembic {verb} {revision} succeeded but the copy is at {at or 'no revision'}: "
                          f"the migrate command did not build where it was told (read {version_table(spec)})",
                          hint="make env.py read its URL from the app's database variable; if the app "
                          "keeps its version table elsewhere, set [database] version_table_schema / "
                          "version_table as env.py does")  # fmt: skip
    return None


def parse_failure(output: str) -> dict[str, str]:
    """The error type, its message, the inner driver error and the statement of a traceback."""
    matches = list(_ERROR_LINE.finditer(output))
    if not matches:
        last = (output.strip().splitlines() or ["no output"])[-1]
        return {"error": "error", "message": last[:300], "statement": "", "error_name": ""}
    match = matches[-1]
    message = match.group("message")
    inner = _INNER.match(message)
    # The driver's own exception, in the message or as the chained cause earlier in the output.
    driver = _DRIVER.search(message) or next(iter(reversed(list(_DRIVER_LINE.finditer(output)))), None)
    name = driver.group("name") if driver else (inner.group("inner") if inner else match.group("type"))
    name = name.rsplit(".", 1)[-1]
    sql = _SQL.search(output[match.start():])
    return {"error": name, "message": _INNER.sub("", message)[:300],
            "statement": " ".join(sql.group("sql").split())[:400] if sql else "", "error_name": name}  # fmt: skip


def _failed(revision: str, failure: dict[str, str], steps: list[dict[str, Any]], rehearsal: RehearsalSpec,
            when: str = "") -> CheckResult:  # fmt: skip
    statement = msg("rehearsal.statement", sql=failure["statement"]) if failure["statement"] else ""
    named = REMEDIES.get(failure["error_name"])
    remedy = msg(named) if named else msg("rehearsal.fix_revision", revision=revision)
    summary = msg("rehearsal.fail", revision=revision, when=when or msg("rehearsal.when.upgrade"),
                  error=failure["error"], message=failure["message"])  # fmt: skip
    return CheckResult.failed(
        ITEM, sentences(summary, statement),
        remediation=remedy, expected={"failing_revisions": []}, failing_revision=revision, failure=failure,
        steps=steps, url_scheme=rehearsal.url_scheme,
    )  # fmt: skip


def _down_of(graph: RevisionGraph, revision: str) -> str:
    downs = graph.get_revision(revision).down
    return downs[0] if downs else "base"


def _has_downgrade(graph: Any, revision: str) -> bool:
    """A downgrade() that does more than ``pass`` or raise; merges are not round-tripped."""
    if isinstance(graph, RevisionGraph):
        return len(graph.revisions[revision].down) <= 1 and graph.has_downgrade(revision)
    return False
