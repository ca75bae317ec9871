"""Read-only by construction, on a real local stack of every example app.

A suite added to the project asks the harness for each connection its checks read through —
the live database (``db_engine``, which the flows' reads and SQL invariants use too), the
stack's migrated snapshot, the replay database — and sends a write through each: every one
must be refused by PostgreSQL as a write in a read-only transaction (SQLSTATE 25006), in a
transaction and in autocommit. A full healthy run of the reference app stays green and lists
what the harness did write (its throwaway schema, the flow's rows it removed, the sessions
db-reconnect cut) in results.json, checklist.json and the Markdown report.
"""

from __future__ import annotations

import json

import pytest
from support import example_venv

pytestmark = pytest.mark.stack

PROBE = '''
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

WRITES = ["CREATE TABLE hv_ro_probe (id integer)",
          "INSERT INTO alembic_version (version_num) VALUES ('hv_ro_probe')"]


def refused(engine, statement):
    for autocommit in (False, True):
        with pytest.raises(DBAPIError) as caught:
            with engine.connect() as connection:
                if autocommit:
                    connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text(statement))
                connection.commit()
        assert caught.value.orig.sqlstate == "25006", str(caught.value)


@pytest.mark.parametrize("statement", WRITES)
def test_live_database(db_engine, statement):
    refused(db_engine, statement)


@pytest.mark.parametrize("statement", WRITES)
def test_migrated_snapshot(migrated_snapshot, statement):
    assert migrated_snapshot is not None
    refused(migrated_snapshot, statement)


def test_replay_database(replay_engine):
    refused(replay_engine, WRITES[0])
'''
APPS = {"local": "reference_app", "template": "template_app", "ledger": "ledger_app", "flask_local": "flask_app"}


@pytest.mark.parametrize("target", list(APPS))
def test_every_reading_connection_refuses_a_write(project, target):
    if APPS[target] != "reference_app":  # the app's own venv (idempotent: a second run only checks)
        example_venv(APPS[target])
    (project.path / "suites" / "test_zz_read_only.py").write_text(PROBE)
    result = project.run("suites/test_zz_read_only.py", f"--target={target}")
    result.assert_outcomes(passed=5)


def test_a_healthy_run_lists_what_it_wrote(project):
    result = project.run()
    assert result.ret == 0, result.stdout.str()
    report = project.report_dirs()[-1]
    made = json.loads((report / "checklist.json").read_text())["writes"]
    assert made == project.results()["environment"]["writes"]
    done = {(w["action"], w["by"].rpartition("::")[2]) for w in made}
    assert {("create schema", "test_pgvector_works_in_a_throwaway_schema"),
            ("drop schema", "test_no_throwaway_schema_left"),
            ("terminate sessions", "test_app_recovers_from_cut_database_connections"),
            ("delete rows", "test_completion_credits_bounty")} <= done  # fmt: skip
    assert all(w["object"].startswith("hv_") for w in made if "schema" in w["action"])
    assert all(w["tag"].startswith("hv-r") for w in made if w["action"] == "delete rows")
    markdown = (report / "checklist.md").read_text()
    assert "## Writes to the database" in markdown and "drop schema hv_r" in markdown
