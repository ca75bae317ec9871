"""Complete drift on a real server: the reference app at head plus the objects real migrations
also create (a trigger and its function, an enum, views, a sequence, a policy, comments);
each fault made by hand in a copy names exactly that object, and an untouched copy is equal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from db_support import migrate, sql, standalone_pg  # noqa: F401  (fixture)

from harness.checks.catalog import app_schemas, diff_snapshots, snapshot, without_table
from harness.transport import db

# What a richer app's migrations would add on top of the reference app's own.
RICH = (
    "CREATE TYPE task_status AS ENUM ('open', 'done')",
    "ALTER TABLE tasks ADD COLUMN state task_status NOT NULL DEFAULT 'open'",
    "ALTER TABLE tasks ADD COLUMN updated_at timestamptz",
    """CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN NEW.updated_at := now(); RETURN NEW; END $$""",
    "CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
    "CREATE VIEW open_tasks AS SELECT id, title FROM tasks WHERE state = 'open'",
    "CREATE MATERIALIZED VIEW task_counts AS SELECT state, count(*) AS n FROM tasks GROUP BY state",
    "CREATE SEQUENCE invoice_no OWNED BY tasks.id",
    "ALTER TABLE tasks ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY own_tasks ON tasks USING (assigned_to = 1)",
    "COMMENT ON COLUMN tasks.title IS 'what to do'",
)

FAULTS = {
    "trigger_dropped": (
        ["DROP TRIGGER tasks_touch ON tasks"],
        [
            "trigger tasks_touch on tasks: the migrations create it, but it is missing in the live database"
        ],
    ),
    "trigger_and_function_dropped": (
        ["DROP FUNCTION touch_updated_at() CASCADE"],
        [
            "function touch_updated_at(): the migrations create it, but it is missing",
            "trigger tasks_touch on tasks: the migrations create it, but it is missing",
        ],
    ),
    "trigger_made_by_hand": (
        [
            "CREATE TRIGGER tasks_touch_insert BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION touch_updated_at()"
        ],
        ["trigger tasks_touch_insert on tasks: in the live database, but no migration creates it"],
    ),
    "trigger_disabled": (
        ["ALTER TABLE tasks DISABLE TRIGGER tasks_touch"],
        ["trigger tasks_touch on tasks: live has", "(disabled)"],
    ),
    "function_changed": (
        [
            """CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RETURN NEW; END $$"""
        ],
        ["function touch_updated_at(): live has"],
    ),
    "enum_value_added": (
        ["ALTER TYPE task_status ADD VALUE 'archived'"],
        ["enum type task_status: value(s) 'archived' added by hand"],
    ),
    "view_changed": (
        ["CREATE OR REPLACE VIEW open_tasks AS SELECT id, title FROM tasks"],
        ["view open_tasks: live has", "the migrations give", "WHERE"],
    ),
    "matview_dropped": (
        ["DROP MATERIALIZED VIEW task_counts"],
        ["materialized view task_counts: the migrations create it, but it is missing"],
    ),
    "sequence_ownership_changed": (
        ["ALTER SEQUENCE invoice_no OWNED BY NONE"],
        [
            "sequence invoice_no: live has 'bigint increment 1', the migrations give 'bigint increment 1 owned by public.tasks.id'"
        ],
    ),
    "policy_changed": (
        ["DROP POLICY own_tasks ON tasks", "CREATE POLICY own_tasks ON tasks USING (true)"],
        ["policy own_tasks on tasks: live has"],
    ),
    "rls_disabled": (
        ["ALTER TABLE tasks DISABLE ROW LEVEL SECURITY"],
        ["tasks: live has 'no row level security', the migrations give 'row level security'"],
    ),
    "default_changed": (
        ["ALTER TABLE tasks ALTER COLUMN state SET DEFAULT 'done'"],
        ["tasks.state: live has", "DEFAULT 'done'::task_status"],
    ),
    "comment_changed": (
        ["COMMENT ON COLUMN tasks.title IS 'edited by hand'"],
        [
            "comment on column tasks.title: live has 'edited by hand', the migrations give 'what to do'"
        ],
    ),
    "table_in_extra_schema": (
        [
            "CREATE SCHEMA scratch",
            "CREATE TABLE scratch.notes (id int PRIMARY KEY)",
            "CREATE FUNCTION scratch.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ],
        [
            "schema scratch: in the live database, but no migration creates it (table scratch.notes, function scratch.f())"
        ],
    ),
}


@pytest.fixture(scope="module")
def base(standalone_pg) -> Iterator[str]:  # noqa: F811
    admin = standalone_pg.url()
    sql(admin, "DROP DATABASE IF EXISTS catalog_base", "CREATE DATABASE catalog_base")
    url = standalone_pg.url("catalog_base")
    migrate(url)
    sql(url, *RICH)
    yield url
    sql(admin, "DROP DATABASE IF EXISTS catalog_base WITH (FORCE)")


def drift(
    base_url: str, admin_url: str, *statements: str, ignore: tuple[str, ...] = ()
) -> list[str]:
    """Copy the base, break the copy, diff copy (live) against base (the migrations' result)."""
    sql(
        admin_url,
        "DROP DATABASE IF EXISTS catalog_live",
        "CREATE DATABASE catalog_live TEMPLATE catalog_base",
    )
    live_url = admin_url.rsplit("/", 1)[0] + "/catalog_live"
    sql(live_url, *statements) if statements else None
    snaps = []
    for url in (live_url, base_url):
        engine = db.make_engine(url)
        try:
            with engine.connect() as connection:
                snaps.append(
                    without_table(
                        snapshot(connection, app_schemas(connection, ignore)), "alembic_version"
                    )
                )
        finally:
            engine.dispose()
    sql(admin_url, "DROP DATABASE catalog_live WITH (FORCE)")
    return diff_snapshots(*snaps)


def test_an_untouched_copy_has_no_drift_and_extension_objects_are_left_out(base, standalone_pg):  # noqa: F811
    assert drift(base, standalone_pg.url()) == []
    engine = db.make_engine(base)
    try:
        with engine.connect() as connection:
            snap = snapshot(connection, ["public", "wallet"])
    finally:
        engine.dispose()
    assert not any("vector" in name for name in snap["functions"])  # pgvector's own functions
    assert {"trigger tasks_touch on tasks", "enum type task_status", "view open_tasks",
            "materialized view task_counts", "policy own_tasks on tasks"} <= {
        name for kind in snap.values() for name in kind}  # fmt: skip


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_hand_made_change_is_named(base, standalone_pg, fault):  # noqa: F811
    statements, expected = FAULTS[fault]
    lines = drift(base, standalone_pg.url(), *statements)
    text = "\n".join(lines)
    for words in expected:
        assert words in text, f"{words!r} not in:\n{text}"
    if fault == "table_in_extra_schema":
        assert len(lines) == 1, lines  # folded into the schema line
        assert drift(base, standalone_pg.url(), *statements, ignore=("scratch",)) == []
