"""The database items at the edges (issue 25.4–25.6), on a deployed database (a standalone
PostgreSQL, migrated by hand, seen through a remote profile): a role that may create
databases but not extensions; two rows in alembic_version; a version table in its own schema.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from db_support import APP_DIR, migrate, sql, standalone_pg  # noqa: F401  (fixture)
from sqlalchemy import make_url
from support import REPO, example_venv

from harness.checks import dbcopy
from harness.config.targets import resolve_target
from harness.errors import ConfigError
from harness.stack.appcode import AppCode
from harness.stack.postgres import EmbeddedPostgres, find_bindir
from harness.transport.db import make_writer

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
CREATOR = "hv_edge_creator"
CREATOR_PASSWORD = "EdgeCreator-pw-5e1d"


def deployed(server, name: str, *, revision: str = "head") -> str:
    sql(server.url(), f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    url = server.url(name)
    migrate(url, "upgrade", revision)
    return url


def run_remote(project, url: str, **extra):
    profile = {"kind": "remote", "base_url": "http://127.0.0.1:9", "database_url": url,
               "alembic_ini": str(APP_DIR / "alembic.ini"), "health": {"wait_timeout_s": 0.5},
               "database": {"models": "reference_app.models:Base.metadata"}}  # fmt: skip
    for key, value in extra.items():
        profile[key] = {**profile.get(key, {}), **value} if isinstance(value, dict) else value
    project.set_targets({"targets": {"deployed": profile}})
    return project.run(SUITE, "--target=deployed")


def item_tests(project, item: str) -> list[dict]:
    return [t for t in project.results()["tests"] if item in t["checklist"]]


def statuses(project) -> dict[str, str]:
    payload = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return {i["id"]: i["status"] for i in payload["items"]}


def test_a_role_that_may_not_create_the_extension_leaves_schema_drift_not_run(project, standalone_pg):  # noqa: F811
    url = deployed(standalone_pg, "creator_only")
    sql(standalone_pg.url(), f"DROP ROLE IF EXISTS {CREATOR}",
        f"CREATE ROLE {CREATOR} LOGIN CREATEDB PASSWORD '{CREATOR_PASSWORD}'",
        f"GRANT pg_read_all_data TO {CREATOR}")  # fmt: skip
    limited = make_url(url).set(username=CREATOR, password=CREATOR_PASSWORD).render_as_string(hide_password=False)
    result = run_remote(project, limited)
    assert statuses(project)["schema-drift"] == "not_run", result.stdout.str()[-3000:]
    [test] = item_tests(project, "schema-drift")
    assert "CREATE EXTENSION vector" in test["message"] and f"the role {CREATOR}" in test["message"]
    assert "the migrations are not judged" in test["message"]
    assert "do not build a schema" not in result.stdout.str()
    assert result.ret == 1
    last = result.stdout.lines[-1]
    assert "exit 1" in last and "not run" in last and "schema-drift" in last, last
    assert CREATOR_PASSWORD not in result.stdout.str()


STALE_ROW = """
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        connection.execute("INSERT INTO alembic_version (version_num) VALUES ('0003')")
"""


def test_a_stale_second_row_in_the_version_table_is_migration_heads_finding_alone(project):
    project.add_hook(STALE_ROW)
    result = project.run(SUITE)
    assert result.ret == 1, result.stdout.str()[-3000:]
    assert project.failed_items() == {"migration-head"}, result.stdout.str()[-3000:]
    [drift] = [c for t in item_tests(project, "schema-drift") for c in t["checks"] if "replayed_to" in c["evidence"]]
    # The schema is what 0005 built; the replay goes there, not to a stale 0003 as well.
    assert drift["ok"] and drift["evidence"]["replayed_to"] == ["0005"], drift


# ---------------------------------------------------------------- a PostgreSQL 15 server

DEBIAN_15 = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="module")
def pg15() -> Iterator[EmbeddedPostgres]:
    """Debian's PostgreSQL 15, run as a non-root user on 127.0.0.1 (scripts/dev-setup.sh
    installs it), while the harness's own tools are the embedded wheel's, newer."""
    if not (DEBIAN_15 / "pg_ctl").is_file():
        pytest.skip(f"Debian's PostgreSQL 15 is not installed ({DEBIAN_15}): apt-get install postgresql-15")
    server = EmbeddedPostgres.create(DEBIAN_15)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def template_behind(server: EmbeddedPostgres, name: str) -> str:
    """examples/template_app's database, one revision behind its scripts, migrated by hand."""
    example_venv("template_app")
    app = AppCode(resolve_target("template", REPO / "targets.toml", environ={}).app)
    sql(server.url(), f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    env = app.environment(server.url(name))
    for step in (["upgrade", "head"], ["downgrade", "-1"]):
        subprocess.run(app.command(["{python}", "-m", "alembic", *step]), cwd=app.spec.dir, env=env,
                       check=True, capture_output=True)  # fmt: skip
    return server.url(name)


def test_rehearsal_on_a_postgresql_15_server_copies_with_its_own_client_tools(project, pg15):
    url = template_behind(pg15, "deployed15")
    profile = tomllib.loads((REPO / "targets.toml").read_text())["targets"]["template-remote"]
    profile |= {"base_url": "http://127.0.0.1:9", "database_url": url, "health": {"wait_timeout_s": 0.5}}
    project.set_targets({"targets": {"deployed": profile}})
    # The deployed app holds a connection, so the copy cannot be a TEMPLATE copy: pg_dump.
    with psycopg.connect(url):
        result = project.run(SUITE, "--target=deployed")
    assert statuses(project)["migration-rehearsal"] == "pass", result.stdout.str()[-3000:]
    [check] = [c for t in item_tests(project, "migration-rehearsal") for c in t["checks"]]
    assert check["evidence"]["copy_method"] == "pg_dump | pg_restore"
    assert check["evidence"]["copy_tools"] == f"pg_dump/pg_restore 15 from {DEBIAN_15} (server 15)"
    assert result.ret == 1  # behind: migration-head's finding


def test_without_the_servers_client_tools_the_copy_names_the_ones_to_install(pg15, monkeypatch):
    url = template_behind(pg15, "deployed15_tools")
    embedded = find_bindir()
    if dbcopy._major(embedded / "pg_dump") <= 15:
        pytest.skip("the embedded wheel's PostgreSQL is not newer than 15")
    monkeypatch.setattr(dbcopy, "_bin_candidates", lambda: [embedded])
    writer = make_writer(url)
    try:
        with psycopg.connect(url), pytest.raises(ConfigError) as caught:
            dbcopy.copy_database(writer, "hv_edge_copy15", "edgerun")
    finally:
        sql(pg15.url(), "DROP DATABASE IF EXISTS hv_edge_copy15")
        writer.dispose()
    text = caught.value.one_line()
    assert "no pg_dump/pg_restore 15 (the server's major version) is installed" in text
    assert "apt-get install postgresql-client-15" in text
