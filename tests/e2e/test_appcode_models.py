"""models-match through the app's interpreter: the models are described by a subprocess, the
harness never imports them, a metadata with no tables is a ConfigError, a type changed by hand
reads "type differs", and the verdict is the same under -k and -n as in a full run."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from db_support import APP_DIR, sql, standalone_pg  # noqa: F401  (fixture)

from harness.checks.migrations import AppScripts, script_directory
from harness.checks.models import check_models_match, load_models
from harness.config.database import DatabaseSpec
from harness.config.targets import AppSpec
from harness.errors import ConfigError
from harness.stack.appcode import AppCode
from harness.transport import db

pytestmark = pytest.mark.stack

REFERENCE = AppCode(AppSpec(dir=APP_DIR))
SUITE = "suites/test_database.py"


def app_modules(folder: Path) -> list[str]:
    """Modules loaded in this process from ``folder``."""
    return [name for name, module in sys.modules.items()
            if str(getattr(module, "__file__", None) or "").startswith(str(folder))]  # fmt: skip


def test_reference_models_match_and_are_never_imported_here(standalone_pg):  # noqa: F811
    models = load_models(REFERENCE, DatabaseSpec(models="reference_app.models:Base.metadata"))
    assert {"users", "tasks", "wallet.wallets"} <= set(models)
    engine = db.make_engine(standalone_pg.url())
    try:
        result = check_models_match(engine, models, "reference_app.models:Base.metadata")
    finally:
        engine.dispose()
    assert result.ok, result.describe()
    assert app_modules(APP_DIR) == [] and "reference_app" not in sys.modules


def test_a_type_changed_by_hand_reads_type_differs(standalone_pg):  # noqa: F811
    models = load_models(REFERENCE, DatabaseSpec(models="reference_app.models:Base.metadata"))
    url = standalone_pg.url()
    sql(url, "ALTER TABLE users ALTER COLUMN email TYPE text")
    engine = db.make_engine(url)
    try:
        result = check_models_match(engine, models, "reference_app.models:Base.metadata")
    finally:
        engine.dispose()
        sql(url, "ALTER TABLE users ALTER COLUMN email TYPE varchar(255)")
    assert not result.ok
    assert (
        "users.email: type differs: the models say character varying(255), the database has text"
        in result.evidence["missing"]
    )
    assert "500" not in result.summary


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


def test_a_metadata_with_no_tables_is_a_config_error_naming_what_to_import(tmp_path):
    app = spread_models(tmp_path / "shop")
    with pytest.raises(ConfigError, match="shop_models:Base.metadata has no tables") as caught:
        load_models(app, DatabaseSpec(models="shop_models:Base.metadata"))
    assert "models_import" in caught.value.one_line()
    models = load_models(
        app, DatabaseSpec(models="shop_models:Base.metadata", models_import=("shop_models.user",))
    )
    assert models["shop_user"]["columns"]["email"] == {"type": "VARCHAR(100)", "nullable": False}
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
