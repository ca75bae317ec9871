"""models-match through the app's interpreter: autogenerate runs in a subprocess, the harness
never imports the models, a metadata with no tables is a ConfigError, a type changed by hand
reads "type differs", the live database is only read (its transaction is READ ONLY at the
server), env.py's include_name is honoured, and the verdict is the same under -k and -n as in
a full run."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest
from db_support import APP_DIR, sql, standalone_pg  # noqa: F401  (fixture)
from sqlalchemy import MetaData, create_engine

from harness.checks.migrations import AppScripts, script_directory
from harness.checks.models import check_models_match, compare_models
from harness.config.database import DatabaseSpec
from harness.config.targets import AppSpec
from harness.errors import ConfigError
from harness.stack.appcode import HELPERS, AppCode

pytestmark = pytest.mark.stack

REFERENCE = AppCode(AppSpec(dir=APP_DIR))
REFERENCE_MODELS = DatabaseSpec(models="reference_app.models:Base.metadata")
INI = APP_DIR / "alembic.ini"
SUITE = "suites/test_database.py"


def harness_url(server) -> str:
    return server.url().replace("postgresql://", "postgresql+psycopg://", 1)


def load_models(app: AppCode, spec: DatabaseSpec) -> dict:
    """The comparison against a database that cannot exist: only loading is exercised."""
    return compare_models(app, spec, None, "postgresql+psycopg://nobody@127.0.0.1:9/none")


def app_modules(folder: Path) -> list[str]:
    """Modules loaded in this process from ``folder``."""
    return [name for name, module in sys.modules.items()
            if str(getattr(module, "__file__", None) or "").startswith(str(folder))]  # fmt: skip


def test_reference_models_match_and_are_never_imported_here(standalone_pg):  # noqa: F811
    answer = compare_models(REFERENCE, REFERENCE_MODELS, INI, harness_url(standalone_pg))
    result = check_models_match(answer, "reference_app.models:Base.metadata")
    assert result.ok, result.describe()
    assert answer["options"]["from"] == "env.py" and answer["options"]["compare_server_default"] is True
    assert app_modules(APP_DIR) == [] and "reference_app" not in sys.modules


def test_a_type_changed_by_hand_reads_type_differs(standalone_pg):  # noqa: F811
    url = standalone_pg.url()
    sql(url, "ALTER TABLE users ALTER COLUMN email TYPE text")
    try:
        answer = compare_models(REFERENCE, REFERENCE_MODELS, INI, harness_url(standalone_pg))
    finally:
        sql(url, "ALTER TABLE users ALTER COLUMN email TYPE varchar(255)")
    result = check_models_match(answer, "reference_app.models:Base.metadata")
    assert not result.ok
    assert (
        "users.email: type differs: the models say character varying(255), the database has text"
        in result.evidence["differences"]
    )
    assert "op.alter_column('users', 'email'" in str(result.evidence["autogenerate"])
    assert "500" not in result.summary


def test_env_py_filters_are_honoured_and_the_harness_schemas_left_out(standalone_pg):  # noqa: F811
    """A schema env.py's include_name leaves out, and an hv_ one, are no difference; a table
    by hand in a schema env.py manages is, in the database's direction."""
    url = standalone_pg.url()
    sql(url, "CREATE SCHEMA scratch", "CREATE TABLE scratch.notes (id int)",
        "CREATE SCHEMA hv_rtest_main", "CREATE TABLE hv_rtest_main.t (id int)",
        "CREATE TABLE wallet.audit (id int)")  # fmt: skip
    try:
        answer = compare_models(REFERENCE, REFERENCE_MODELS, INI, harness_url(standalone_pg))
    finally:
        sql(url, "DROP SCHEMA scratch CASCADE", "DROP SCHEMA hv_rtest_main CASCADE", "DROP TABLE wallet.audit")
    lines = check_models_match(answer, "m").evidence["differences"]
    assert lines == ["wallet.audit: table in the database, not in the models"]


def test_the_comparison_connection_is_read_only_at_the_server(standalone_pg):  # noqa: F811
    """A write attempted on the comparison's own connection (here from an include_name that
    the test hands it) is refused by the server: READ ONLY, not read-only by convention."""
    spec = importlib.util.spec_from_file_location("hv_compare_models", HELPERS / "compare_models.py")
    helper = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helper)
    refused: list[str] = []
    engine = create_engine(harness_url(standalone_pg))
    with engine.connect() as connection:

        def include_name(name, type_, parent_names):
            if type_ == "table" and not refused:
                try:
                    with connection.begin_nested():
                        connection.exec_driver_sql("CREATE TABLE written_by_models_match (id int)")
                except Exception as exc:  # noqa: BLE001
                    refused.append(str(exc))
            return True

        helper.compare_on(connection, MetaData(), {"include_name": include_name})
    engine.dispose()
    assert refused and "read-only transaction" in refused[0]
    assert sql(standalone_pg.url(), "SELECT to_regclass('written_by_models_match')") == [(None,)]


def spread_models(folder: Path) -> AppCode:
    """Base in the package, the table in a module nobody imports: SQLModel-template style."""
    package = folder / "shop_models"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent("""\
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            pass
        """)
    )
    (package / "user.py").write_text(
        textwrap.dedent("""\
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from shop_models import Base
        class User(Base):
            __tablename__ = "shop_user"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(String(100))
        """)
    )
    return AppCode(AppSpec(dir=folder))


def test_a_metadata_with_no_tables_is_a_config_error_naming_what_to_import(tmp_path, standalone_pg):  # noqa: F811
    app = spread_models(tmp_path / "shop")
    with pytest.raises(ConfigError, match=r"shop_models:Base\.metadata has no tables") as caught:
        load_models(app, DatabaseSpec(models="shop_models:Base.metadata"))
    assert "models_import" in caught.value.one_line()
    answer = compare_models(
        app, DatabaseSpec(models="shop_models:Base.metadata", models_import=("shop_models.user",)),
        None, harness_url(standalone_pg),
    )  # fmt: skip
    lines = check_models_match(answer, "shop_models:Base.metadata").evidence["differences"]
    assert "shop_user: table the models define is missing" in lines
    assert answer["options"] == {"from": "Alembic's defaults", "reason": "the profile names no alembic_ini"}
    assert app_modules(tmp_path) == []


def test_a_module_missing_from_the_app_interpreter_names_it_and_the_interpreter(tmp_path):
    app = spread_models(tmp_path / "shop")
    (tmp_path / "shop" / "shop_models" / "user.py").write_text("import sqlmodel_not_installed\n")
    with pytest.raises(ConfigError, match="No module named 'sqlmodel_not_installed'") as caught:
        load_models(
            app,
            DatabaseSpec(models="shop_models:Base.metadata", models_import=("shop_models.user",)),
        )
    assert sys.executable in caught.value.one_line()


def models_outcome(project, *args: str) -> set[str]:
    project.run(SUITE, *args)
    return project.outcomes_by_item()["models-match"]


def test_models_verdict_does_not_depend_on_order_or_workers(project):
    """The same model column no migration creates, judged under -k, -n 2 and a full run."""
    folder = project.path / "models_copy"
    folder.mkdir()
    models = (APP_DIR / "reference_app" / "models.py").read_text()
    marker = "    email: Mapped[str] = mapped_column(String(255), nullable=False)\n"
    models = models.replace(
        marker, marker + "    credits: Mapped[int] = mapped_column(Integer, nullable=False)\n"
    )
    (folder / "models_with_credits.py").write_text(models)
    project.set_targets({"targets": {"local": {"database": {
        "models": "models_with_credits:Base.metadata", "models_path": [str(folder)]}}}})  # fmt: skip
    assert models_outcome(project, "-k", "models") == {"failed"}
    assert models_outcome(project, "-n", "2") == {"failed"}
    assert models_outcome(project) == {"failed"}


def test_revision_files_that_import_app_modules_are_read_by_the_app_interpreter(tmp_path):
    """The harness cannot (and must not) import ``shop_models``; the app's interpreter can."""
    app = spread_models(tmp_path / "shop")
    versions = tmp_path / "shop" / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_a.py").write_text(
        'import shop_models\nrevision = "0001"\ndown_revision = None\n'
    )
    (versions / "0002_b.py").write_text(
        'import shop_models.user\nrevision = "0002"\ndown_revision = "0001"\n'
    )
    ini = tmp_path / "shop" / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = migrations\nprepend_sys_path = .\n")
    script = script_directory(ini, ini.parent, app)
    assert isinstance(script, AppScripts)
    assert script.get_heads() == ["0002"] and script.get_revision("0001") is not None
    assert app_modules(tmp_path) == []
