"""Database checks: Alembic head, pgvector, schema drift, models vs schema, cleanup.

No database_url → these are "not run"; an unreachable database or a wrong password →
blocked, with one reason (the ``db_engine`` fixture's error, cached for the session).
"""

from __future__ import annotations

import pytest

from harness.checks.migrations import check_migration_head
from harness.checks.models import check_models_match
from harness.checks.pgvector import check_pgvector, check_pgvector_usable, installed_pgvector
from harness.checks.schema import check_schema_drift
from harness.checks.throwaway import check_no_throwaway_left
from harness.transport.db import database_errors


@pytest.mark.checklist("migration-head")
def test_database_is_at_the_script_head(db_engine, alembic_ini, db_spec, app_code, check):
    check(check_migration_head(db_engine, alembic_ini, db_spec, app_code))


@pytest.mark.checklist("pgvector")
def test_pgvector_is_installed(db_engine, db_spec, check):
    check(check_pgvector(db_engine, db_spec.pgvector_min_version))


@pytest.mark.checklist("pgvector-usable")
def test_pgvector_works_in_a_throwaway_schema(db_engine, throwaway_schema, check):
    with database_errors(db_engine), db_engine.connect() as connection:
        installed = installed_pgvector(connection)
    if installed is None:
        pytest.skip("not run: the vector extension is not installed (see the pgvector item)")
    check(check_pgvector_usable(db_engine, throwaway_schema, installed.schema))


@pytest.mark.checklist("schema-drift")
def test_live_schema_equals_its_migrations(db_engine, replay_engine, alembic_ini, db_spec, app_code, check):
    check(check_schema_drift(db_engine, replay_engine, alembic_ini, db_spec, app_code))


@pytest.mark.checklist("models-match")
def test_live_schema_has_what_the_models_expect(db_engine, app_models, db_spec, check):
    check(check_models_match(db_engine, app_models, db_spec.models))


@pytest.mark.checklist("cleanup")
def test_no_throwaway_schema_left(throwaway, check):
    """Runs last (see harness.plugin.database): drops this session's objects, then looks for them."""
    with database_errors(throwaway.engine):
        throwaway.close()
    check(check_no_throwaway_left(throwaway.engine, [throwaway.schema_name, throwaway.replay_name]))
