"""Database checks when the database misbehaves: dropped connections, a restart, an
unreachable server, a wrong password, no database at all, a killed run, xdist workers."""

from __future__ import annotations

import json

import pytest
from db_support import hv_objects, sql, standalone_pg  # noqa: F401  (fixture)
from support import EXIT_BLOCKED

from harness.stack.postgres import free_port

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
INI = "examples/reference_app/alembic.ini"

DISRUPT = """
import json, psycopg, pytest
from harness.plugin.session import get_state

DONE = []

@pytest.fixture(autouse=True)
def _disrupt_the_database(request):
    # Before every test: kill the harness's own connections; before one of them, restart
    # the server. The pooled connections the next check gets are all dead.
    state = get_state(request.config)
    server = state.stack.postgres
    if request.node.name == "test_live_schema_has_what_the_models_expect":
        server._run("pg_ctl", "-D", str(server.data_dir), "-l", str(server.log_path), "-m", "fast", "-w", "restart")
        DONE.append("restart")
    else:
        url = state.target.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            DONE.append(connection.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'staging-harness' AND pid <> pg_backend_pid()").fetchone()[0])
    (request.config.rootpath / "disruptions.json").write_text(json.dumps(DONE))
    yield
"""


def remote(name: str, database_url: str | None, **extra) -> dict:
    # Nothing listens at base_url: these runs judge the database only, so the health wait is short.
    profile = {"kind": "remote", "base_url": "http://127.0.0.1:9", "alembic_ini": INI,
               "health": {"wait_timeout_s": 0.5},
               "database": {"models": "reference_app.models:Base.metadata"}, **extra}  # fmt: skip
    if database_url:
        profile["database_url"] = database_url
    return {"targets": {name: profile}}


def test_dropped_connections_and_a_restart_do_not_break_later_checks(project):
    project.add_hook(DISRUPT)
    result = project.run(SUITE)
    result.assert_outcomes(passed=8)
    disruptions = json.loads((project.path / "disruptions.json").read_text())
    assert "restart" in disruptions
    assert sum(n for n in disruptions if isinstance(n, int)) >= 3  # connections really were killed


def test_unreachable_database_blocks_every_item_with_one_reason(project):
    port = free_port()
    project.set_targets(remote("deaddb", f"postgresql+asyncpg://app:Secretpw1@127.0.0.1:{port}/app"))
    result = project.run(SUITE, "--target=deaddb")
    assert result.ret == EXIT_BLOCKED
    data = project.results()
    assert data["counts"]["blocked"] == 8 and data["status"] == "blocked"
    reasons = {t["message"] for t in data["tests"]}
    assert reasons == {f"blocked: database postgresql+psycopg://app:***@127.0.0.1:{port}/app: connection refused. "
                       "Hint: check that the database is up and that host and port in database_url are right"}
    assert result.stdout.str().count("harness: BLOCKED: database") == 1
    assert "Secretpw1" not in result.stdout.str() + result.stderr.str()


def test_wrong_password_is_exit_4_with_the_reason(project, standalone_pg):  # noqa: F811 (the fixture)
    # A retry cannot fix a wrong password: a person must (issue 12), so 4, not 75.
    url = standalone_pg.url().replace(standalone_pg.password, "Wr0ngPassword")
    project.set_targets(remote("badpw", url))
    result = project.run(SUITE, "--target=badpw")
    assert result.ret == 4
    data = project.results()
    assert data["counts"]["blocked"] == 8 and data["status"] == "blocked"
    assert "password authentication failed for user 'postgres'" in data["blocked_reason"]
    result.stdout.fnmatch_lines(["*database *: password authentication failed for user 'postgres'. Hint: check the password*"])
    assert "Wr0ngPassword" not in result.stdout.str() + result.stderr.str()


def test_no_database_url_means_not_run_with_the_reason(project):
    project.set_targets(remote("nodb", None))
    result = project.run(SUITE, "--target=nodb")
    result.assert_outcomes(skipped=8)
    assert {t["message"] for t in project.results()["tests"]} == {"not run: target 'nodb' has no database_url"}


@pytest.mark.parametrize("production", [False, True])
def test_remote_database_is_checked_without_a_stack(project, standalone_pg, production):  # noqa: F811 (the fixture)
    project.set_targets(remote("shared", standalone_pg.url(), production=production))
    result = project.run(SUITE, "--target=shared")
    outcomes = project.outcomes_by_item()
    if production:  # throwaway schemas and replay databases are writes: not on production
        assert outcomes["pgvector-usable"] == outcomes["schema-drift"] == {"skipped"}
        assert outcomes["migration-rehearsal"] == outcomes["migration-roundtrip"] == {"na"}  # production
        result.assert_outcomes(passed=4, skipped=4)
    else:  # at head: nothing pending for the round trip on a copy (n/a, with the reason)
        assert outcomes["migration-roundtrip"] == {"na"}
        result.assert_outcomes(passed=7, skipped=1)
    assert hv_objects(standalone_pg.url()) == []


def test_killed_run_leaves_a_schema_the_next_run_removes_as_its_run_is_dead(project, standalone_pg):  # noqa: F811 (the fixture)
    """Young (far inside the 6 h TTL), but its run is dead: its liveness lock is free."""
    url = standalone_pg.url()
    project.set_targets(remote("shared", url))
    (project.path / "suites" / "test_zz_die.py").write_text(
        "import os, signal\n\ndef test_die(throwaway_schema):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = project.run("suites/test_zz_die.py", "--target=shared")
    assert killed.ret == -9
    left = hv_objects(url)
    assert len(left) == 1 and left[0].startswith("hv_r") and left[0].endswith("_main")
    sql(url, "CREATE SCHEMA hv_made_by_hand")
    swept = project.run(SUITE, "--target=shared")  # default TTL (6 h)
    swept.assert_outcomes(passed=7, skipped=1)
    swept.stdout.fnmatch_lines([f"harness: janitor removed schema {left[0]} (run r*; its run is dead)",
                                "*removed 1 leftover(s)*"])  # fmt: skip
    assert hv_objects(url) == ["hv_made_by_hand"]  # not tagged by the harness: never touched
    sql(url, "DROP SCHEMA hv_made_by_hand")


def test_xdist_workers_get_their_own_schema(project):
    pytest.importorskip("xdist")
    result = project.run(SUITE, "-n", "2")
    result.assert_outcomes(passed=8)
    schemas = [c["evidence"]["schema"] for t in project.results()["tests"] for c in t["checks"]
               if c["item"] == "pgvector-usable"]  # fmt: skip
    assert len(schemas) == 1 and schemas[0].rsplit("_", 1)[1] in ("gw0", "gw1")
    assert project.results()["environment"]["throwaway_left_at_finish"] == []
