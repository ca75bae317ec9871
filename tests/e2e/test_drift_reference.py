"""schema-drift's reference on the local stack comes from the migrations alone.

The stack copies the database right after the app's upgrade step and before any other
``[app] migrate`` step, so what a later step does by hand (an index, a trigger, a dropped
column) is drift, named; a step *before* the upgrade leaves no trustworthy copy, so the
migrations are replayed instead. A seed step that only writes rows (template_app's
``initial_data``) stays green: tests/e2e/test_example_apps.py.
"""

from __future__ import annotations

import json
import sys

import pytest

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
UPGRADE = ["{python}", "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"]

# A migrate step that is not the migrations: plain SQL on the app's database.
BY_HAND = """\
import os, sys, psycopg
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
    for statement in sys.argv[1:]:
        connection.execute(statement)
"""

STAMP = (
    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER tasks_stamp BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION stamp()",
)
AFTER_UPGRADE = {
    "index": (
        ("CREATE INDEX ix_users_email_by_hand ON users (email)",),
        [
            "users index ix_users_email_by_hand: index in the live database that no migration creates"
        ],
    ),
    "trigger": (
        STAMP,
        [
            "trigger tasks_stamp on tasks: in the live database, but no migration creates it",
            "function stamp(): in the live database",
        ],
    ),
    "dropped_column": (
        ("ALTER TABLE tasks DROP COLUMN accepted_at",),
        ["tasks.accepted_at: column the migrations create is missing"],
    ),
}


def drift_text(project) -> str:
    checks = [c for t in project.results()["tests"] if "schema-drift" in t["checklist"]
              for c in t["checks"]]  # fmt: skip
    return json.dumps(checks)


def with_steps(project, *steps: list[str]) -> None:
    script = project.path / "by_hand.py"
    script.write_text(BY_HAND)
    migrate = [
        [sys.executable, str(script), *step] if step is not UPGRADE else step for step in steps
    ]
    project.set_targets({"targets": {"local": {"app": {"migrate": migrate}}}})


@pytest.mark.parametrize("change", list(AFTER_UPGRADE))
def test_a_migrate_step_after_the_upgrade_is_drift(project, change):
    statements, words = AFTER_UPGRADE[change]
    with_steps(project, UPGRADE, list(statements))
    result = project.run(SUITE)
    assert "schema-drift" in project.failed_items(), result.stdout.str()
    text = drift_text(project)
    for word in words:
        assert word in text, f"{word!r} not in {text}"
    # Compared with the copy taken between the two steps, not replayed.
    assert "before its other migrate steps" in text


def test_a_migrate_step_before_the_upgrade_leaves_no_copy(project):
    with_steps(project, ["CREATE TABLE scratch_by_hand (id int)"], UPGRADE)
    project.run(SUITE)
    assert "schema-drift" in project.failed_items()
    text = drift_text(project)
    assert "scratch_by_hand: table in the live database that no migration creates" in text
    assert "replayed_to" in text and "before its other migrate steps" not in text


def test_upgrade_alone_is_compared_with_its_copy(project):
    with_steps(project, UPGRADE)
    result = project.run(SUITE)
    result.assert_outcomes(passed=7)
    assert "before its other migrate steps" in drift_text(project)
