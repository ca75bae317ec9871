"""db.py and the checks against a real (standalone) embedded PostgreSQL, in process."""

from __future__ import annotations

import pytest
from db_support import engine, hv_objects, sql, standalone_pg, writer  # noqa: F401  (fixtures)
from sqlalchemy import text

from harness.checks.pgvector import check_pgvector
from harness.commands import janitor as janitor_command
from harness.errors import ConfigError, DatabaseUnreachable
from harness.transport import db

pytestmark = pytest.mark.stack


def age(url: str, kind: str, name: str, created: str) -> None:
    """Backdate a tag, as if the object had been made by a run long ago."""
    comment = f"staging-harness run=rold host=elsewhere created={created}"
    sql(url, f"COMMENT ON {kind} {name} IS '{comment}'")


def test_sweep_drops_only_tagged_hv_objects_past_the_ttl(writer, standalone_pg):  # noqa: F811 (the fixture)
    url = standalone_pg.url()
    db.create_schema(writer, "hv_rold_main", "rold")
    db.create_database(writer, "hv_rold_main_replay", "rold")
    db.create_schema(writer, "hv_rnew_main", "rnew")
    age(url, "SCHEMA", "hv_rold_main", "2000-01-01T00:00:00+00:00")
    age(url, "DATABASE", "hv_rold_main_replay", "2000-01-01T00:00:00+00:00")
    sql(url, "CREATE SCHEMA hv_made_by_hand", "CREATE SCHEMA keepme",
        "CREATE SCHEMA hv_wrong_tag", "COMMENT ON SCHEMA hv_wrong_tag IS 'staging-harness but not ours'")  # fmt: skip
    removed = db.sweep_schemas(writer, 6 * 3600)
    assert [line.split(" (")[0] for line in removed] == ["schema hv_rold_main", "database hv_rold_main_replay"]
    assert "run rold on elsewhere, created 2000-01-01" in removed[0]
    assert hv_objects(url) == ["hv_made_by_hand", "hv_rnew_main", "hv_wrong_tag"]
    assert [line.split(' (')[0] for line in db.sweep_schemas(writer, 0)] == ['schema hv_rnew_main']
    assert hv_objects(url) == ["hv_made_by_hand", "hv_wrong_tag"]  # untagged: never ours to drop
    assert sql(url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'keepme'") == [(1,)]


def test_janitor_command_uses_the_ttl(writer, standalone_pg, tmp_path, capsys):  # noqa: F811 (the fixture)
    (tmp_path / "targets.toml").write_text(
        f'[targets.db]\nkind = "remote"\nbase_url = "http://127.0.0.1:9"\ndatabase_url = "{standalone_pg.url()}"\n'
        '[targets.db.database]\nschema_ttl_s = 3600\n'
    )
    db.create_schema(writer, "hv_rcli_main", "rcli")
    args = ["janitor", "--target", "db", "--target-file", str(tmp_path / "targets.toml")]
    from harness.cli import main

    assert main(args) == 0  # profile TTL (1 h): too young
    assert "removed 0 leftover(s)" in capsys.readouterr().out
    assert main([*args, "--ttl", "0s"]) == 0
    out = capsys.readouterr().out
    assert "removed schema hv_rcli_main (run rcli" in out and standalone_pg.password not in out
    assert hv_objects(standalone_pg.url()) == []
    assert janitor_command.parse_duration("90m") == 5400


def test_a_terminated_connection_costs_one_reconnect(engine, standalone_pg):  # noqa: F811 (the fixture)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    killed = sql(standalone_pg.url(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE application_name = 'staging-harness' AND pid <> pg_backend_pid()")  # fmt: skip
    assert killed[0][0] >= 1
    assert check_pgvector(engine, "0.5.0").ok  # pre-ping replaced the dead pooled connection


def test_connection_lost_inside_a_check_is_unreachable_not_failed(engine, standalone_pg):  # noqa: F811 (the fixture)
    with (
        pytest.raises(DatabaseUnreachable, match="terminat"),
        db.database_errors(engine),
        engine.connect() as connection,
    ):
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        sql(standalone_pg.url(), f"SELECT pg_terminate_backend({pid})")
        connection.execute(text("SELECT 1"))


def test_wrong_password_is_one_clear_reason(standalone_pg):  # noqa: F811 (the fixture)
    url = standalone_pg.url().replace(standalone_pg.password, "not-the-password")
    engine = db.make_engine(url)  # noqa: F811 (the fixture)
    with pytest.raises(ConfigError) as raised:  # a person must fix it: exit 4, not blocked
        db.ensure_reachable(engine)
    assert "password authentication failed for user 'postgres'" in raised.value.one_line()
    assert "not-the-password" not in raised.value.one_line()


@pytest.mark.parametrize(
    "query, reason",
    [
        ("SELECT count(*) FROM no_such_table", 'relation "no_such_table" does not exist'),
        ("SELECT :never_captured", "never_captured"),
        ("SELEC 1", "syntax error"),
    ],
    ids=["unknown-table", "unbound-parameter", "syntax"],
)
def test_a_declared_invariant_with_a_sql_error_is_one_config_line(engine, query, reason):  # noqa: F811 (the fixture)
    from harness.errors import ConfigError
    from harness.flow.invariants import declared_query_rows

    where = "targets.ledger.flows.credit.sql_invariants.balanced"
    with pytest.raises(ConfigError) as info:
        declared_query_rows(engine, query, {}, where)
    line = info.value.one_line()
    assert line.startswith(f"{where}: the query fails on the target:") and reason in line
    assert "\n" not in line


def test_a_sequence_reset_below_its_columns_maximum_is_named_with_setval(engine, writer):  # noqa: F811 (the fixture)
    from harness.checks.sequences import check_sequences

    with writer.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS seq_users, seq_items")
        connection.exec_driver_sql("CREATE TABLE seq_users (id serial PRIMARY KEY, name text)")
        connection.exec_driver_sql("CREATE TABLE seq_items (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO seq_users (name) VALUES ('a'), ('b'), ('c')")
        connection.exec_driver_sql("INSERT INTO seq_items DEFAULT VALUES")
    healthy = check_sequences(engine, ["public"])
    assert healthy.ok, healthy.describe()
    with writer.begin() as connection:  # a restore that forgot the sequence
        connection.exec_driver_sql("SELECT setval('seq_users_id_seq', 1)")
    broken = check_sequences(engine, ["public"])
    assert not broken.ok
    assert broken.summary == (
        "1 sequence(s) behind their column: sequence seq_users_id_seq hands out 2 next, but "
        "seq_users.id already holds up to 3: the next insert collides"
    )
    assert "SELECT setval('seq_users_id_seq', (SELECT max(id) FROM seq_users))" in broken.remediation
    with writer.begin() as connection:  # following the remedy fixes it
        connection.exec_driver_sql("SELECT setval('seq_users_id_seq', (SELECT max(id) FROM seq_users))")
    assert check_sequences(engine, ["public"]).ok
    with writer.begin() as connection:
        connection.exec_driver_sql("DROP TABLE seq_users, seq_items")
