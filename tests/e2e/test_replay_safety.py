"""The schema-drift replay is harmless (issue 11, Deliver 5), proven on a real server.

A throwaway app folder (written here) is migrated into a "live" database; then the real
check runs with env.py variants that real apps have: (a) one reading its own variables,
(b) a URL hard-coded in alembic.ini, (c) one finding the live URL in the environment, and
one hard-coding another database. Each time the live database must be unchanged (catalog,
version table, row counts) and the verdict must be a pass or a ConfigError, never "drift".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_support import sql

from harness.checks.schema import app_schemas, check_schema_drift, snapshot
from harness.config.database import DatabaseSpec
from harness.config.targets import AppSpec
from harness.errors import ConfigError
from harness.stack.appcode import AppCode
from harness.stack.postgres import EmbeddedPostgres
from harness.transport import db

pytestmark = pytest.mark.stack

MIGRATION = """
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
from alembic import op
def upgrade():
    op.execute("CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL)")
def downgrade():
    op.execute("DROP TABLE things")
"""
ENV_HEAD = """
import json, os
from alembic import context
from sqlalchemy import create_engine
dump = os.environ.get("HV_TEST_ENV_DUMP")
if dump:
    with open(dump, "w") as f:
        json.dump(dict(os.environ), f)
"""
ENV_TAIL = """
with create_engine(URL).connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
"""
OWN_VARIABLES = 'URL = "postgresql+psycopg://%s:%s@%s:%s/%s" % tuple(os.environ[k] for k in ("APPDB_USER", "APPDB_PASSWORD", "APPDB_HOST", "APPDB_PORT", "APPDB_NAME"))'
FROM_INI = 'URL = context.config.get_main_option("sqlalchemy.url")'
FROM_ENVIRONMENT = 'URL = os.environ["SQLALCHEMY_DATABASE_URI"]'
MAP_OWN = {"APPDB_USER": "{user}", "APPDB_PASSWORD": "{password}", "APPDB_HOST": "{host}",
           "APPDB_PORT": "{port}", "APPDB_NAME": "{database}"}  # fmt: skip


def write_app(folder: Path, url_line: str, ini_url: str = "") -> Path:
    (folder / "migrations" / "versions").mkdir(parents=True)
    (folder / "migrations" / "versions" / "0001_things.py").write_text(MIGRATION)
    (folder / "migrations" / "env.py").write_text(ENV_HEAD + url_line + "\n" + ENV_TAIL)
    (folder / "alembic.ini").write_text(
        textwrap.dedent(f"""\
        [alembic]
        script_location = migrations
        prepend_sys_path = .
        sqlalchemy.url = {ini_url}
        """)
    )
    return folder / "alembic.ini"


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres.create()
    try:
        pg.start()
        sql(pg.url(), "CREATE DATABASE live", "CREATE DATABASE elsewhere")
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def live(server: EmbeddedPostgres, tmp_path: Path) -> Iterator[str]:
    """The live database, migrated by the alembic CLI with a plain env.py, one row in it."""
    sql(server.url(), "DROP DATABASE IF EXISTS live WITH (FORCE)", "CREATE DATABASE live")
    url = server.url("live")
    ini = write_app(tmp_path / "deployer", FROM_ENVIRONMENT)
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ini.parent, check=True,
                   env={**os.environ, "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")},
                   capture_output=True)  # fmt: skip
    sql(url, "INSERT INTO things (name) VALUES ('keep me')")
    yield url


def fingerprint(url: str) -> str:
    """Catalog, version table and row counts of every table: any write shows."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            snap = snapshot(connection, app_schemas(connection))
        counts = {t: sql(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in snap["tables"]}
        return json.dumps(
            [snap, counts, sql(url, "SELECT version_num FROM alembic_version")],
            sort_keys=True,
            default=str,
        )
    finally:
        engine.dispose()


def run_check(
    server: EmbeddedPostgres,
    live_url: str,
    ini: Path,
    mapping: dict[str, str],
    env: dict[str, str] | None = None,
):
    """The real schema-drift check, the replay database created and dropped as the suite does."""
    live = db.make_engine(live_url)
    sql(
        server.url(),
        "DROP DATABASE IF EXISTS hv_replay_test WITH (FORCE)",
        "CREATE DATABASE hv_replay_test",
    )
    replay = db.make_engine(server.url("hv_replay_test"))
    app = AppCode(AppSpec(dir=ini.parent, database_env=mapping))
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        return check_schema_drift(live, replay, ini, DatabaseSpec(), app)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        live.dispose()
        replay.dispose()
        sql(server.url(), "DROP DATABASE IF EXISTS hv_replay_test WITH (FORCE)")


def test_env_py_reading_its_own_variables_builds_in_the_throwaway_database(server, live, tmp_path):
    ini = write_app(tmp_path / "app", OWN_VARIABLES)
    dump = tmp_path / "env.json"
    before = fingerprint(live)
    result = run_check(
        server,
        live,
        ini,
        MAP_OWN,
        {"HV_TEST_ENV_DUMP": str(dump), "LIVE_DSN": live, "DATABASE_URL": live},
    )
    assert result.ok, result.describe()
    assert fingerprint(live) == before
    seen = json.loads(dump.read_text())
    assert "LIVE_DSN" not in seen and "DATABASE_URL" not in seen  # inherited, held the live URL
    assert not any("/live" in value for value in seen.values())
    assert seen["APPDB_NAME"] == "hv_replay_test"


def test_unmapped_variables_with_live_values_are_a_config_error(server, live, tmp_path):
    """The shell holds the live database's parts; the profile maps only DATABASE_URL."""
    ini = write_app(tmp_path / "app", OWN_VARIABLES)
    password = live.split(":")[2].split("@")[0]
    inherited = {"APPDB_USER": "postgres", "APPDB_PASSWORD": password, "APPDB_HOST": "127.0.0.1",
                 "APPDB_PORT": str(server.port), "APPDB_NAME": "live"}  # fmt: skip
    before = fingerprint(live)
    with pytest.raises(ConfigError, match="the replay did not build where it was told") as caught:
        run_check(server, live, ini, {"DATABASE_URL": "{url}"}, inherited)
    assert (
        "database_env" in caught.value.one_line() and "POSTGRES_SERVER" in caught.value.one_line()
    )
    assert fingerprint(live) == before


def test_live_url_hard_coded_in_alembic_ini_is_refused_up_front(server, live, tmp_path):
    ini = write_app(
        tmp_path / "app", FROM_INI, ini_url=live.replace("postgresql://", "postgresql+psycopg://")
    )
    before = fingerprint(live)
    with pytest.raises(ConfigError, match=r"has sqlalchemy\.url = .*the live database") as caught:
        run_check(server, live, ini, {"DATABASE_URL": "{url}"})
    assert server.password not in caught.value.one_line()
    assert fingerprint(live) == before


def test_live_url_found_in_the_environment_is_stripped(server, live, tmp_path):
    ini = write_app(tmp_path / "app", FROM_ENVIRONMENT)
    before = fingerprint(live)
    with pytest.raises(ConfigError, match="did not build where it was told"):
        run_check(
            server,
            live,
            ini,
            {"DATABASE_URL": "{url}"},
            {"SQLALCHEMY_DATABASE_URI": live.replace("postgresql://", "postgresql+psycopg://")},
        )
    assert fingerprint(live) == before


def test_env_py_building_elsewhere_is_caught_by_the_version_table(server, live, tmp_path):
    """A URL env.py hard-codes (another database): the replay "succeeds", but not here."""
    elsewhere = server.url("elsewhere").replace("postgresql://", "postgresql+psycopg://")
    ini = write_app(tmp_path / "app", f"URL = {elsewhere!r}")
    before = fingerprint(live)
    with pytest.raises(ConfigError, match="throwaway database holds no version table"):
        run_check(server, live, ini, {"DATABASE_URL": "{url}"})
    assert fingerprint(live) == before
    sql(server.url("elsewhere"), "DROP TABLE IF EXISTS things, alembic_version")


def test_a_failing_migration_is_the_finding(server, live, tmp_path):
    ini = write_app(tmp_path / "app", OWN_VARIABLES)
    broken = MIGRATION.replace("name text NOT NULL", "name nosuchtype")
    (ini.parent / "migrations" / "versions" / "0001_things.py").write_text(broken)
    result = run_check(server, live, ini, MAP_OWN)
    assert not result.ok and "do not build a schema" in result.summary
    assert 'type "nosuchtype" does not exist' in result.summary
