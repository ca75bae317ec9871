"""App code loaded only to describe itself (the models for models-match, the revisions for
migration-head) gets the database variables too, filled with an address where nothing
listens: settings that raise at import when the variable is missing still import.

Runs the helpers in this interpreter (it has SQLAlchemy and Alembic); no database."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from harness.checks.migrations import AppScripts
from harness.checks.models import compare_models
from harness.config.app import AppSpec
from harness.config.database import DatabaseSpec
from harness.errors import AppCodeError
from harness.stack.appcode import NO_DATABASE_URL, AppCode

APP = {
    # Like a settings module that insists: KeyError at import without the variable.
    "cfg.py": 'import os\nURL = os.environ["SHOP_DATABASE_URL"]\n',
    "models.py": """
        import cfg  # noqa: F401
        from sqlalchemy import Integer
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """,
    "alembic.ini": "[alembic]\nscript_location = migrations\nprepend_sys_path = .\n",
    "migrations/versions/0001_orders.py": """
        import cfg  # noqa: F401
        revision = "0001"
        down_revision = None
    """,
}


def _app(root: Path) -> AppCode:
    for name, text in APP.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    spec = AppSpec(dir=root, python=sys.executable, database_env={"SHOP_DATABASE_URL": "{url}"})
    return AppCode(spec)


def test_models_load_where_the_settings_insist_on_a_database_variable(
    tmp_path: Path, monkeypatch
) -> None:
    """models-match fills the app's variables with the database it compares against: here one
    where nothing listens, so the models and their settings import and only the connection fails."""
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    with pytest.raises(AppCodeError) as caught:
        compare_models(_app(tmp_path), DatabaseSpec(models="models:Base.metadata"), None, NO_DATABASE_URL)
    assert "KeyError" not in caught.value.one_line()
    assert "OperationalError" in caught.value.one_line()


def test_revisions_load_where_they_import_such_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    scripts = AppScripts.load(_app(tmp_path), tmp_path / "alembic.ini")
    assert scripts.heads == ["0001"]
