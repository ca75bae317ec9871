"""schema-drift: the live schema equals what its own migrations build.

The migrations are replayed into a throwaway *database* on the same server and the two
catalogs compared (harness.checks.catalog: schemas, tables, columns with type/nullability/
default, indexes, constraints, triggers, functions, enum values, sequence ownership, views,
policies, comments, extensions). A database rather
than a schema because migrations hardcode schema names (the reference app creates
``wallet``): replayed into ``hv_…`` they would collide with the live objects, while in a
fresh database every name, sequence and index definition comes out exactly as in the live
one, so the comparison needs no renaming. Where the role may not CREATE DATABASE the item is
"not run" with that reason (the suite decides).

The replay goes to the revision the live database records (head when it records none or an
unknown one): drift means "differs from what its own migrations produce"; a database that
is merely behind is migration-head's finding, not a second failure here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine

from harness.checks.backend import Backend, backend_of
from harness.checks.catalog import (
    Snapshot,
    app_schemas,
    diff_snapshots,
    label,
    snapshot,
    without_table,
)
from harness.checks.migrations import Scripts, known_revision, read_db_revisions, script_directory
from harness.checks.replay import ReplayFailed, refuse_live_ini_url, require_built_here, run_replay
from harness.config.database import DatabaseSpec
from harness.messages.core import msg
from harness.result import CheckResult
from harness.stack.appcode import AppCode
from harness.transport.db import database_errors

ITEM = "schema-drift"

def judge_drift(
    live: Snapshot, replayed: Snapshot, revisions: list[str], backend: Backend | None = None
) -> CheckResult:
    differences = diff_snapshots(live, replayed)
    evidence = {
        "replayed_to": revisions,
        "compared": {k: len(v) for k, v in replayed.items()},
    }
    if not differences:
        return CheckResult.passed(
            ITEM,
            msg("drift.pass", revisions=", ".join(revisions)),
            **evidence,
        )
    names = ", ".join(d.split(": ", 1)[0] for d in differences[:8])
    return CheckResult.failed(
        ITEM, msg("drift.fail", n=len(differences), names=names), remediation=msg("drift.remedy_with", autogenerate=(backend or Backend()).autogenerate),
        expected={"differences": []}, differences=differences, **evidence,
    )  # fmt: skip


def replay_failed(exc: Exception, revisions: list[str], backend: Backend | None = None) -> CheckResult:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    upgrade = (backend or Backend()).upgrade
    return CheckResult.failed(
        ITEM, msg("drift.replay_failed", error=first),
        remediation=msg("drift.replay_remedy_with", upgrade=upgrade),
        replayed_to=revisions,
    )  # fmt: skip


def check_schema_drift(
    live: Engine, replay: Engine, ini: Path, spec: DatabaseSpec, app: AppCode
) -> CheckResult:
    """Replay into the (empty, throwaway) database behind ``replay`` in the app's own
    interpreter (harness.checks.replay), prove it built there, and compare with ``live``."""
    live_url = live.url.render_as_string(hide_password=False)
    refuse_live_ini_url(ini, app, live_url)
    with database_errors(live), live.connect() as connection:
        revisions = replay_revisions(connection, ini, spec, app)
    try:
        run_replay(app, ini, replay.url.render_as_string(hide_password=False), live_url, revisions)
    except ReplayFailed as exc:  # an error inside the app's migrations is the finding
        return replay_failed(exc, revisions, backend_of(app.spec))
    require_built_here(replay, spec, revisions, app)
    result = compare(live, replay, spec, revisions, backend_of(app.spec))
    result.evidence["replayed_with"] = app.spec.python
    return result


def compare(
    live: Engine, replay: Engine, spec: DatabaseSpec, revisions: list[str], backend: Backend | None = None
) -> CheckResult:
    """Snapshot both databases over every schema either has (less the profile's ignored ones):
    a schema only the live database has is drift, named once with what it holds."""
    ignore = spec.ignore_schemas
    with database_errors(replay), replay.connect() as connection:
        replay_schemas = app_schemas(connection, ignore)
    with database_errors(live), live.connect() as connection:
        schemas = sorted(set(app_schemas(connection, ignore)) | set(replay_schemas))
        current = snapshot(connection, schemas)
    with database_errors(replay), replay.connect() as connection:
        replayed = snapshot(connection, replay_schemas)
    # Alembic's bookkeeping table is migration-head's business, not a schema difference.
    version = label("tables", spec.version_table_schema, spec.version_table, "")
    result = judge_drift(without_table(current, version), without_table(replayed, version), revisions, backend)
    result.evidence["schemas_compared"] = schemas
    result.evidence["schemas_ignored"] = list(ignore)
    return result


def check_schema_drift_from_snapshot(
    live: Engine, migrated: Engine, spec: DatabaseSpec, backend: Backend | None = None
) -> CheckResult | None:
    """On a stack the harness provisioned: compare ``live`` with the copy of it taken right
    after the app's upgrade step(s) (``alembic upgrade head``, ``flask db upgrade``) and before
    any other migrate step (the same migrations on the same server, so the same schema a
    replay would build), which catches whatever a later migrate step, the app or the suites
    changed since. ``None`` when the live database now records other revisions than the
    copy (a downgrade since): the caller replays to those instead."""
    with database_errors(migrated), migrated.connect() as connection:
        revisions = sorted(read_db_revisions(connection, spec) or [])
    with database_errors(live), live.connect() as connection:
        if sorted(read_db_revisions(connection, spec) or []) != revisions:
            return None
    result = compare(live, migrated, spec, revisions, backend)
    result.evidence["migrations_schema_from"] = msg("drift.snapshot_source")
    return result




def replay_revisions(
    connection: Connection, ini: Path, spec: DatabaseSpec, app: AppCode
) -> list[str]:
    """The live database's recorded revisions when the scripts know them, else the heads.
    A stale row below another (two rows on one branch: migration-head's finding) is left out:
    the schema is what the upper one built, and no replay can end at both."""
    script = script_directory(ini, app.spec.dir, app)
    recorded = read_db_revisions(connection, spec) or []
    if recorded and all(known_revision(script, rev) for rev in recorded):
        return uppermost(script, recorded)
    return sorted(script.get_heads())


def uppermost(script: Scripts, revisions: list[str]) -> list[str]:
    """``revisions`` less those that are an ancestor of another one of them."""
    below: set[str] = set()
    for revision in revisions:
        below |= {r.revision for r in script.iterate_revisions(revision, "base")} - {revision}
    return sorted(rev for rev in revisions if rev not in below)
