"""Replay databases dated by name, and the restart watch, on a real PostgreSQL."""

from __future__ import annotations

import subprocess

import pytest
from db_support import engine, hv_objects, sql, standalone_pg, writer  # noqa: F401  (fixtures)

from harness.stack.postgres import find_bindir
from harness.transport import db
from harness.transport.restart import RestartWatch, server_started

pytestmark = pytest.mark.stack


def test_a_replay_database_without_its_comment_is_found_by_its_name(writer, standalone_pg):  # noqa: F811 (the fixture)
    """A run killed between CREATE DATABASE and COMMENT: the name alone dates it."""
    name = db.dated_database_name(writer, "rkill", "gw1", "replay")
    sql(standalone_pg.url(), f"CREATE DATABASE {name}")  # no comment: killed just after this
    assert db.sweep_schemas(writer, 3600) == []  # young: kept
    removed = db.sweep_schemas(writer, 0)
    assert [line.split(" (")[0] for line in removed] == [f"database {name}"]
    assert "(run rkill on ?" in removed[0]
    assert hv_objects(standalone_pg.url()) == []


def test_a_bare_hv_database_with_another_name_is_left_alone(engine, standalone_pg):  # noqa: F811 (the fixture)
    sql(standalone_pg.url(), "CREATE DATABASE hv_someone_replay")
    assert db.sweep_schemas(engine, 0) == []
    assert hv_objects(standalone_pg.url()) == ["hv_someone_replay"]


def _restart(server) -> None:
    subprocess.run(
        [str(find_bindir() / "pg_ctl"), "-D", str(server.data_dir), "-l", str(server.log_path),
         "-m", "fast", "-w", "-t", "60", "restart"],
        user=server.run_as, check=True, capture_output=True, cwd=server.root,
    )  # fmt: skip


def test_restart_watch_tells_a_restart_from_a_steady_server(standalone_pg):  # noqa: F811 (the fixture)
    watch = RestartWatch.for_url(standalone_pg.url())
    try:
        watch.mark()
        assert watch.explain() is None  # up throughout: a failure is the product's
        before = server_started(watch.engine)
        _restart(standalone_pg)
        assert server_started(watch.engine) != before
        assert "restarted during this check" in (watch.explain() or "")
    finally:
        watch.close()


def test_restart_watch_never_blames_a_database_that_was_never_up():
    watch = RestartWatch.for_url("postgresql://u:p@127.0.0.1:9/x")
    try:
        watch.mark()
        assert watch.explain() is None
        assert "did not answer" in (
            RestartWatch(watch.engine, seen_up=True, _marked=True).explain() or ""
        )
    finally:
        watch.close()


def test_a_rehearsal_copy_without_its_comment_is_found_by_its_name(writer, standalone_pg):  # noqa: F811 (the fixture)
    """The rehearsal's copy is dated by name like the replay database (issue 14)."""
    name = db.dated_database_name(writer, "rkill", "gw0", "rehearsal")
    assert name.startswith("hv_rkill_gw0_") and name.endswith("_rehearsal")
    sql(standalone_pg.url(), f"CREATE DATABASE {name}")  # killed before its COMMENT
    assert db.sweep_schemas(writer, 3600) == []
    assert [line.split(" (")[0] for line in db.sweep_schemas(writer, 0)] == [f"database {name}"]
    assert hv_objects(standalone_pg.url()) == []
