"""Database checks: Alembic head, pgvector, schema drift, models vs schema, cleanup.

No database_url → these are "not run"; an unreachable database or a wrong password →
blocked, with one reason (the ``db_engine`` fixture's error, cached for the session).
"""

from __future__ import annotations

import pytest

from harness.checks.backend import backend_of
from harness.checks.catalog import app_schemas
from harness.checks.dbcopy import copy_of
from harness.checks.migrations import check_migration_head, read_db_revisions
from harness.checks.models import check_models_match
from harness.checks.pgvector import check_pgvector, check_pgvector_usable, installed_pgvector
from harness.checks.rehearsal import rehearse
from harness.checks.replay import ReplayNotPermitted
from harness.checks.roundtrip import plan_round_trip, round_trip
from harness.checks.schema import check_schema_drift, check_schema_drift_from_snapshot
from harness.checks.sequences import check_sequences
from harness.checks.throwaway import check_no_throwaway_left
from harness.config.rehearsal import rehearsal_spec
from harness.messages.core import msg
from harness.transport.db import database_errors

# Every test here talks to the database only: a local stack run for this module alone starts
# PostgreSQL and the migrations, not the app server (harness.plugin.needs).
HARNESS_NEEDS_APP = False


@pytest.mark.checklist("migration-head")
def test_database_is_at_the_script_head(db_engine, alembic_ini, db_spec, app_code, check):
    check(check_migration_head(db_engine, alembic_ini, db_spec, app_code))


@pytest.mark.checklist("pgvector")
def test_pgvector_is_installed(db_engine, db_spec, check):
    check(check_pgvector(db_engine, db_spec.pgvector_min_version))


@pytest.mark.checklist("pgvector-usable")
def test_pgvector_works_in_a_throwaway_schema(db_engine, throwaway, throwaway_schema, check):
    with database_errors(db_engine), db_engine.connect() as connection:
        installed = installed_pgvector(connection)
    if installed is None:
        pytest.skip(f"not run: {msg('db.vector_missing')}")
    check(check_pgvector_usable(throwaway.engine, throwaway_schema, installed.schema))  # writes: its own schema


@pytest.mark.checklist("schema-drift")
def test_live_schema_equals_its_migrations(db_engine, migrated_snapshot, alembic_ini, db_spec, app_code, check, request):
    # A provisioned stack kept a copy of its freshly migrated database; elsewhere, replay.
    result, not_permitted = None, None
    if migrated_snapshot is not None:
        result = check_schema_drift_from_snapshot(db_engine, migrated_snapshot, db_spec, backend_of(app_code.spec))
    if result is None:
        try:
            result = check_schema_drift(db_engine, request.getfixturevalue("replay_engine"), alembic_ini, db_spec, app_code)
        except ReplayNotPermitted as exc:  # a privilege the role lacks, not the migrations' fault
            not_permitted = exc
    if result is not None:
        check(result)
    # The live schema's own state: a sequence behind its column (the next insert collides).
    with database_errors(db_engine), db_engine.connect() as connection:
        schemas = app_schemas(connection, db_spec.ignore_schemas)
    check(check_sequences(db_engine, schemas))
    if not_permitted is not None:
        pytest.skip(f"not run: {not_permitted}")


@pytest.mark.checklist("migration-rehearsal")
def test_pending_migrations_apply_to_a_copy_of_the_live_data(
    db_engine, throwaway, alembic_ini, db_spec, app_code, target, run_id, check
):
    rehearsal = rehearsal_spec(target)
    if not rehearsal.enabled:
        pytest.skip(f"not run: {msg('db.rehearsal_disabled')}")
    if target.production and not rehearsal.on_production:
        pytest.skip(f"n/a: {msg('db.production_no_rehearsal')}")
    throwaway.require_databases()
    check(rehearse(db_engine, alembic_ini, db_spec, rehearsal, throwaway.rehearsal_name, run_id, app_code,
                   writer=throwaway.engine))  # fmt: skip


@pytest.mark.checklist("migration-roundtrip")
def test_each_revision_steps_up_down_and_up_again(
    db_engine, throwaway, alembic_ini, db_spec, app_code, target, run_id, stack_database, check
):
    rehearsal = rehearsal_spec(target)  # a copy of the live data: the rehearsal's rules
    if not stack_database and target.production and not rehearsal.on_production:
        pytest.skip(f"n/a: {msg('db.production_no_roundtrip')}")
    with database_errors(db_engine), db_engine.connect() as connection:
        plan = plan_round_trip(alembic_ini, app_code, read_db_revisions(connection, db_spec), fresh=stack_database)
    if isinstance(plan, str):
        pytest.skip(plan)
    throwaway.require_databases()
    args = (alembic_ini, db_spec, app_code, plan)
    if stack_database:  # the whole history on an empty database
        with throwaway.replay_database() as empty:
            check(round_trip(db_engine, empty, *args, msg("trip.where.empty"), rehearsal.timeout_s))
        return
    with copy_of(throwaway.engine, throwaway.rehearsal_name, run_id, "migration-roundtrip") as (copy, info):
        result = round_trip(db_engine, copy, *args, msg("trip.where.copy"), rehearsal.timeout_s)
    result.evidence.update(info.evidence())
    check(result)


@pytest.mark.checklist("models-match")
def test_live_schema_has_what_the_models_expect(app_models, db_spec, target, check):
    check(check_models_match(app_models, db_spec.models or "", backend_of(target.app)))


@pytest.mark.checklist("cleanup")
def test_no_throwaway_schema_left(throwaway, check):
    """Runs last (see harness.plugin.database): drops this session's objects, then looks for them."""
    with database_errors(throwaway.engine):
        throwaway.close()
    check(check_no_throwaway_left(throwaway.engine, throwaway.names))
