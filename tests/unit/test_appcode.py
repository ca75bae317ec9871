"""[app]/[stack] profile keys, database_env templates, the replay's environment, alembic paths
resolved as the CLI run from [app] dir would, and the model type spelling."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from harness.checks.migrations import AppScripts, alembic_config, script_directory
from harness.checks.models import check_models_match, difference_line, pg_type
from harness.config.stack import stack_spec
from harness.config.targets import resolve_target
from harness.errors import ConfigError
from harness.secrets import redact
from harness.stack.appcode import database_variables, live_secrets, strip_secrets, url_fields

URL = "postgresql+asyncpg://app:S3cret-pw@db.internal:6543/shop?sslmode=require"


def profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent(body))
    return path


def test_url_fields_give_every_driver_form_and_the_parts():
    fields = url_fields(URL)
    assert fields["url"].startswith("postgresql://app:S3cret-pw@db.internal:6543/shop")
    assert fields["url_psycopg"].startswith("postgresql+psycopg://")
    assert fields["url_asyncpg"].startswith("postgresql+asyncpg://")
    assert (fields["host"], fields["port"], fields["user"], fields["database"]) == (
        "db.internal",
        "6543",
        "app",
        "shop",
    )


def test_database_env_fills_postgres_star_variables_and_masks_them():
    mapping = {"POSTGRES_SERVER": "{host}", "POSTGRES_PORT": "{port}", "POSTGRES_PASSWORD": "{password}",
               "POSTGRES_DB": "{database}", "DSN": "{url_psycopg2}"}  # fmt: skip
    values = database_variables(mapping, URL)
    assert values["POSTGRES_SERVER"] == "db.internal" and values["POSTGRES_DB"] == "shop"
    assert values["DSN"].startswith("postgresql+psycopg2://")
    assert "S3cret-pw" not in redact(f"{values['POSTGRES_PASSWORD']} {values['DSN']}")


def test_a_mapped_url_masks_its_password_not_its_scheme_or_host(monkeypatch):
    """Registering a whole URL made every 8-character run of it a secret: "postgresql" in an
    app's folder name and "127.0.0.1:5" in the base URL were masked in every report line."""
    monkeypatch.setattr("harness.secrets._registered", set())
    url = "postgresql://hv:Zq7-pw%2Fx9@127.0.0.1:57151/hv_app"
    values = database_variables({"DATABASE_URL": "{url}", "DBPASS": "{password}"}, url)
    text = "log /work/corpus-run/msdocs-flask-postgresql/app.log; app at http://127.0.0.1:57151/"
    assert redact(text) == text
    shown = redact(f"{values['DATABASE_URL']} {values['DBPASS']} Zq7-pw%2Fx9")
    assert "Zq7-pw" not in shown and "x9" not in shown, shown


def test_replay_environment_loses_every_live_value_and_libpq_variable():
    env = {"HOME": "/root", "SQLALCHEMY_DATABASE_URI": "postgresql://app:S3cret-pw@db.internal:6543/shop",
           "OTHER": "x S3cret-pw y", "PGPASSWORD": "whatever", "PGHOST": "db"}  # fmt: skip
    assert strip_secrets(env, live_secrets(URL)) == {"HOME": "/root"}


def test_app_section_for_every_kind_with_a_venv_and_a_mapping(tmp_path):
    (tmp_path / "app" / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "app" / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "app" / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    path = profile(
        tmp_path,
        """
        [targets.remote]
        base_url = "https://example.com"
        alembic_ini = "app/alembic.ini"
        [targets.remote.app]
        python = "app/.venv"
        database_env = { POSTGRES_SERVER = "{host}", POSTGRES_DB = "{database}" }
        migrate = [["{python}", "-m", "alembic", "upgrade", "head"], ["{python}", "-m", "app.initial_data"]]
        """,
    )
    app = resolve_target("remote", path).app
    assert app is not None and app.dir == tmp_path / "app"  # default: the alembic.ini's folder
    assert app.python == str(
        tmp_path / "app" / ".venv" / "bin" / "python"
    )  # the venv, not resolved
    assert app.database_env == {"POSTGRES_SERVER": "{host}", "POSTGRES_DB": "{database}"}
    assert len(app.migrate) == 2


def test_remote_without_alembic_ini_has_no_app(tmp_path):
    path = profile(tmp_path, '[targets.s]\nbase_url = "https://example.com"\n')
    assert resolve_target("s", path).app is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('python = "nowhere/python"', "is not an executable interpreter"),
        ('database_env = { DB = "{hostname}" }', "unknown placeholder {hostname}"),
        ('migrate = "alembic upgrade head"', "expected a command or a list of commands"),
        ('pyhton = "x"', "unknown key 'pyhton'"),
    ],
)
def test_bad_app_keys_are_config_errors(tmp_path, body, words):
    (tmp_path / "app").mkdir()
    path = profile(tmp_path, f'[targets.l]\nkind = "local"\n[targets.l.app]\ndir = "app"\n{body}\n')
    with pytest.raises(ConfigError, match=r"targets\.l\.app") as caught:
        resolve_target("l", path)
    assert words in caught.value.one_line()


def test_stack_section(tmp_path):
    (tmp_path / "app").mkdir()
    path = profile(
        tmp_path,
        '[targets.l]\nkind = "local"\n[targets.l.app]\ndir = "app"\n[targets.l.stack]\npostgres = "sys"\n',
    )
    with pytest.raises(ConfigError, match="'sys' is not known") as caught:
        stack_spec(resolve_target("l", path))
    assert 'use "embedded" or "system"' in caught.value.one_line()


def write_scripts(folder: Path, location: str) -> Path:
    versions = folder / "app" / "alembic" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (versions / "0002_b.py").write_text('revision = "0002"\ndown_revision = "0001"\n')
    ini = folder / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {location}\nprepend_sys_path = .\n")
    return ini


def test_relative_script_location_resolves_from_the_app_dir_not_the_harness_cwd(
    tmp_path, monkeypatch
):
    ini = write_scripts(tmp_path, "app/alembic")
    monkeypatch.chdir("/")
    script = script_directory(ini, tmp_path)
    assert script.get_heads() == ("0002",) or list(script.get_heads()) == ["0002"]
    assert alembic_config(ini, tmp_path).get_main_option("prepend_sys_path") is None
    assert str(tmp_path) not in sys.path


def test_here_is_the_ini_folder_and_a_missing_location_names_where_it_looked(tmp_path):
    ini = write_scripts(tmp_path, "%(here)s/app/alembic")
    assert list(script_directory(ini, Path("/")).get_heads()) == ["0002"]
    ini.write_text("[alembic]\nscript_location = nope/alembic\n")
    with pytest.raises(
        ConfigError, match=r"script_location .*nope/alembic does not exist"
    ) as caught:
        script_directory(ini, tmp_path)
    assert "[app] dir" in caught.value.one_line()


def test_unreadable_alembic_ini_is_a_config_error_naming_it(tmp_path):
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic\nscript_location = x\n")
    with pytest.raises(ConfigError, match=f"{ini} cannot be read"):
        alembic_config(ini)


def test_scripts_from_the_app_walk_like_alembic():
    scripts = AppScripts("/x", ["0003"], {"0003": ["0002"], "0002": ["0001"], "0001": []})
    assert [r.revision for r in scripts.iterate_revisions("0003", "0001")] == [
        "0003",
        "0002",
        "0001",
    ]
    assert scripts.get_revision("0002") is not None and scripts.get_revision("dead") is None


@pytest.mark.parametrize(
    ("compiled", "catalog"),
    [
        ("VARCHAR(255)", "character varying(255)"),
        ("VARCHAR", "character varying"),
        ("UUID", "uuid"),
        ("TIMESTAMP WITHOUT TIME ZONE", "timestamp without time zone"),
        ("NUMERIC(10, 2)", "numeric(10,2)"),
        ("FLOAT", "double precision"),
        ("VECTOR(8)", "vector(8)"),
        ("VARCHAR[]", "character varying[]"),
        ("FLOAT(53)", "double precision"),
        ("FLOAT(10)", "real"),
        ("CHAR", "character(1)"),
        ("BIGINT", "bigint"),
    ],
)
def test_model_types_are_spelled_as_the_catalog_does(compiled, catalog):
    assert pg_type(compiled) == catalog


def test_a_changed_type_reads_type_differs():
    diff = {"kind": "modify_type", "schema": None, "table": "user", "column": "email",
            "database": "TEXT", "models": "VARCHAR(255)"}  # fmt: skip
    assert difference_line(diff) == (
        "user.email: type differs: the models say character varying(255), the database has text"
    )


@pytest.mark.parametrize(
    ("diff", "line"),
    [
        ({"kind": "add_index", "schema": None, "table": "ledger_entries", "name": "ix_ledger_entries_operation",
          "columns": ["operation"], "unique": False},
         "ledger_entries index ix_ledger_entries_operation (operation): index the models define is missing"),
        ({"kind": "remove_index", "schema": "wallet", "table": "ledger_entries", "name": "ix_x",
          "columns": ["a", "b"], "unique": True},
         "wallet.ledger_entries unique index ix_x (a, b): index in the database, not in the models"),
        ({"kind": "add_fk", "schema": None, "table": "tasks", "name": None, "columns": ["owner_id"],
          "references": ["users.id"]},
         "tasks foreign key (owner_id) -> users.id: foreign key the models define is missing"),
        ({"kind": "add_constraint", "schema": None, "table": "users", "name": "uq_users_email",
          "constraint": "UniqueConstraint", "columns": ["email"]},
         "users unique constraint uq_users_email (email): unique constraint the models define is missing"),
        ({"kind": "modify_nullable", "schema": None, "table": "users", "column": "name",
          "database": False, "models": True},
         "users.name: nullability differs: the models say NULL, the database has NOT NULL"),
        ({"kind": "modify_default", "schema": None, "table": "users", "column": "created_at",
          "database": None, "models": "now()"},
         "users.created_at: server default differs: the models say now(), the database has none"),
        ({"kind": "add_table", "schema": "wallet", "table": "supply"},
         "wallet.supply: table the models define is missing"),
        ({"kind": "remove_column", "schema": None, "table": "users", "column": "credits", "type": "INTEGER"},
         "users.credits: column in the database, not in the models (integer)"),
    ],
)  # fmt: skip
def test_each_difference_is_named_as_a_person_says_it(diff, line):
    assert difference_line(diff) == line


def test_models_match_names_every_difference_and_the_ops_autogenerate_would_write():
    code = "op.create_index(op.f('ix_ledger_entries_operation'), 'ledger_entries', ['operation'], unique=False)"
    answer = {"tables": 1, "options": {"from": "env.py", "compare_type": True}, "differences": [
        {"kind": "add_index", "schema": None, "table": "ledger_entries", "name": "ix_ledger_entries_operation",
         "columns": ["operation"], "unique": False, "code": code},
        {"kind": "modify_nullable", "schema": None, "table": "ledger_entries", "column": "amount",
         "database": False, "models": True, "code": "op.alter_column(...)"},
    ]}  # fmt: skip
    result = check_models_match(answer, "ledger_app.models:Base.metadata")
    assert not result.ok
    assert result.summary == (
        "the models and the live database differ in 2 thing(s) (missing, nullability differs): "
        "ledger_entries index ix_ledger_entries_operation (operation), ledger_entries.amount"
    )
    assert result.evidence["autogenerate"] == [code, "op.alter_column(...)"]
    assert "alembic revision --autogenerate" in (result.remediation or "")
    healthy = check_models_match({**answer, "differences": []}, "m:Base.metadata")
    assert healthy.ok and "options from env.py" in healthy.summary
