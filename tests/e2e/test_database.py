"""Database checks end to end: real embedded PostgreSQL, real reference app, real harness.

Each fault is injected through ``pytest_harness_stack_ready`` (the stack is up, the checks
have not looked yet) and the test asserts exactly which checklist items fail and that the
message names the revisions, columns or extension. Some faults truthfully break more than
one item, and the expected set says so: dropping pgvector drops ``tasks.embedding`` with it
(CASCADE), and a column the migrations and the models both have is missing for both.
Every run also records the ``hv_`` objects still in the database at session finish (before
the harness's own safety net), which must be none.
"""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from db_support import APP_DIR, hv_objects, model_without_migration, sql, standalone_pg  # noqa: F401  (fixture)

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
DB_ITEMS = {"migration-head", "migration-rehearsal", "migration-roundtrip", "pgvector", "pgvector-usable",
            "schema-drift", "models-match", "cleanup"}

LEFTOVER_PROBE = """
import json, psycopg, pytest
from harness.plugin.session import get_state

@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session):
    state = get_state(session.config)
    if not hasattr(session.config, "workerinput") and state.target and state.target.database_url:
        url = state.target.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as connection:
            rows = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'hv_') UNION ALL "
                "SELECT datname FROM pg_database WHERE starts_with(datname, 'hv_')").fetchall()
        (session.config.rootpath / "leftovers.json").write_text(json.dumps([r[0] for r in rows]))
    return (yield)
"""


def break_database(*statements: str) -> str:
    return f"""
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        for statement in {statements!r}:
            connection.execute(statement)
"""


DOWNGRADE_ONE = """
import os, subprocess, sys
def pytest_harness_stack_ready(config, target, addresses):
    subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", "downgrade", "-1"],
                   cwd=target.app.dir, env={**os.environ, "DATABASE_URL": addresses.database_url},
                   check=True, capture_output=True)
"""


def checks_of(project, item: str) -> list[dict]:
    return [c for t in project.results()["tests"] if item in t["checklist"] for c in t["checks"]]


def text_of(project, item: str) -> str:
    return json.dumps(checks_of(project, item))


def run_database_suite(project, *args: str, **kwargs):
    project.add_hook(LEFTOVER_PROBE)
    result = project.run(SUITE, *args, **kwargs)
    leftovers = json.loads((project.path / "leftovers.json").read_text())
    assert leftovers == [], f"hv_ objects left at session finish: {leftovers}"
    assert project.results()["environment"]["throwaway_left_at_finish"] == []
    return result


def test_healthy_stack_is_all_green_and_leaves_nothing(project):
    result = run_database_suite(project)
    result.assert_outcomes(passed=8)
    assert set(project.outcomes_by_item()) == DB_ITEMS
    # Only the database suite named: PostgreSQL and the migrations, no app server.
    assert "not starting the app: the selected tests need only the database" in result.stdout.str()
    assert "starting the app under" not in result.stdout.str()
    assert "5 revision(s) (0001 to 0005) stepped up, down to base and up again" in text_of(project, "migration-roundtrip")
    assert "replayed to 0005" in text_of(project, "schema-drift")
    assert '"hnsw_index_used": true' in text_of(project, "pgvector-usable")
    tests = [t["nodeid"] for t in project.results()["tests"]]
    assert tests[-1].endswith("test_no_throwaway_schema_left")  # cleanup runs last


def second_head(project) -> None:
    """A copy of the scripts with a branch off 0004: two heads. The app itself (its migrate
    command) still uses the original scripts, so the stack comes up."""
    copy = project.path / "scripts_copy"
    shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "alembic" / "versions" / "0006_branch.py").write_text(textwrap.dedent('''\
        revision = "0006"
        down_revision = "0004"
        branch_labels = None
        depends_on = None
        def upgrade():
            pass
        def downgrade():
            pass
        '''))
    project.set_targets({"targets": {"local": {"alembic_ini": str(copy / "alembic.ini")}}})


FAULTS = {
    "pgvector_dropped": (
        lambda p: p.add_hook(break_database("DROP EXTENSION vector CASCADE")),
        {"pgvector": ["vector extension (pgvector) is not installed", "server offers version", "CREATE EXTENSION vector;"],
         "schema-drift": ["extension vector", "tasks.embedding"],
         "models-match": ["tasks.embedding"]},
    ),
    "pgvector_too_old": (
        lambda p: p.set_targets({"targets": {"local": {"database": {"pgvector_min_version": "99.0"}}}}),
        {"pgvector": ["older than the minimum 99.0", "ask your provider for pgvector >= 99.0"]},
    ),
    "downgraded_one_revision": (
        lambda p: p.add_hook(DOWNGRADE_ONE),
        {"migration-head": ["behind: at 0004, script head is 0005", "alembic upgrade head"],
         "models-match": ["tasks.embedding"]},
    ),
    "unknown_revision": (
        lambda p: p.add_hook(break_database("UPDATE alembic_version SET version_num = 'f00dcafe1234'")),
        {"migration-head": ["revision f00dcafe1234, which the scripts do not know", "head is 0005",
                            "missing from the image"]},
    ),
    "second_head": (
        second_head,
        {"migration-head": ["2 heads (0005, 0006): a merge revision is needed", "alembic merge"]},
    ),
    "version_table_dropped": (
        lambda p: p.add_hook(break_database("DROP TABLE alembic_version")),
        {"migration-head": ["no public.alembic_version table", "create_all()", "alembic stamp head"],
         # what the deploy's alembic upgrade head would hit: the seeds' DuplicateTable
         "migration-rehearsal": ["revision 0002 fails (upgrade)",
                                 "DuplicateTable", 'relation \\"users\\" already exists', "alembic stamp"]},
    ),
    "column_added_by_hand": (
        lambda p: p.add_hook(break_database("ALTER TABLE users ADD COLUMN credits integer NOT NULL DEFAULT 0")),
        {"schema-drift": ["users.credits: column in the live database that no migration creates",
                          "integer NOT NULL DEFAULT 0"],
         # autogenerate would write op.drop_column for it: the models lack it too
         "models-match": ["users.credits: column in the database, not in the models (integer)",
                          "op.drop_column('users', 'credits')"]},
    ),
    "column_dropped_by_hand": (
        lambda p: p.add_hook(break_database("ALTER TABLE tasks DROP COLUMN accepted_at")),
        {"schema-drift": ["tasks.accepted_at: column the migrations create is missing"],
         "models-match": ["tasks.accepted_at"]},
    ),
    "column_type_changed_by_hand": (
        lambda p: p.add_hook(break_database("ALTER TABLE users ALTER COLUMN email TYPE text")),
        {"schema-drift": ["users.email"],
         "models-match": ["(type differs): users.email"]},
    ),
    "trigger_made_by_hand": (
        lambda p: p.add_hook(break_database(
            "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER tasks_stamp BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION stamp()")),
        {"schema-drift": ["trigger tasks_stamp on tasks: in the live database, but no migration creates it",
                          "function stamp(): in the live database"]},
    ),
    "enum_and_view_made_by_hand": (
        lambda p: p.add_hook(break_database(
            "CREATE TYPE mood AS ENUM ('ok', 'meh')",
            "CREATE VIEW open_tasks AS SELECT id, title FROM tasks WHERE status = 'open'")),
        {"schema-drift": ["enum type mood: in the live database", "'ok', 'meh'",
                          "view open_tasks: in the live database, but no migration creates it"]},
    ),
    "table_in_extra_schema": (
        lambda p: p.add_hook(break_database("CREATE SCHEMA scratch", "CREATE TABLE scratch.notes (id int)")),
        {"schema-drift": ["schema scratch: in the live database, but no migration creates it (table scratch.notes)",
                          "ignore_schemas"]},
    ),
    "model_column_without_migration": (
        model_without_migration,
        {"models-match": ["users.credits: column the models define is missing (integer)",
                          "alembic revision --autogenerate"]},
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_database_fault_fails_exactly_its_items(project, fault):
    inject, expected = FAULTS[fault]
    inject(project)
    result = run_database_suite(project)
    assert result.ret == 1
    assert project.failed_items() == set(expected)
    for item, words in expected.items():
        text = text_of(project, item)
        for word in words:
            assert word in text, f"{item}: {word!r} not in {text}"
        assert all(c["remediation"] for c in checks_of(project, item) if not c["ok"])
    outcomes = project.outcomes_by_item()
    for item in DB_ITEMS - set(expected):
        assert outcomes[item] <= {"passed", "skipped"}, (item, outcomes[item])
    if fault == "pgvector_dropped":
        assert outcomes["pgvector-usable"] == {"skipped"}
