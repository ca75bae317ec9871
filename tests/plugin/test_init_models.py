"""init's models, driver and self-check decisions, and models-match's tenant placement
(static or pure: no venv, no database)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.config.database import database_spec
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.init.driver import Installed, Usage, url_template
from harness.init.models_import import metadata_from_env, model_modules, tenant_schema
from harness.init.selfcheck import summary_lines, write_outputs
from harness.init.settle import verify_models
from harness.init.source import Findings

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/db.py": "Base = object()\n",
    "pkg/models/__init__.py": "",
    "pkg/models/_all.py": "",
    "pkg/models/user.py": "class User(Base):\n    __tablename__ = 'users'\n",
    "pkg/models/item.py": "class Item(SQLModel, table=True):\n    pass\n",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


@pytest.mark.parametrize(
    ("env_py", "models", "imports"),
    [
        ("import pkg.models._all\nfrom pkg.db import Base\ntarget_metadata = Base.metadata\n",
         "pkg.db:Base.metadata", ["pkg.models._all"]),
        ("from pkg.models import user, item\nfrom pkg.db import Base\ntarget_metadata = Base.metadata\n",
         "pkg.db:Base.metadata", ["pkg.models.user", "pkg.models.item"]),
        ("from pkg import models\ntarget_metadata = models.Base.metadata\n",
         "pkg.models:Base.metadata", []),
        ("from pkg.models import *\nfrom pkg.db import Base\ntarget_metadata = Base.metadata\n",
         "pkg.db:Base.metadata", ["pkg.models"]),
        ("import pkg.db\nimport pkg.models.user\ntarget_metadata = pkg.db.Base.metadata\n",
         "pkg.db:Base.metadata", ["pkg.models.user"]),
        ("from sqlmodel import SQLModel\nfrom pkg.models import item\ntarget_metadata = SQLModel.metadata\n",
         "sqlmodel:SQLModel.metadata", ["pkg.models.item"]),
        ("from pkg.db import Base as B\nconfig = {'target_metadata': [B.metadata]}\n",
         "pkg.db:Base.metadata", []),
    ],
)  # fmt: skip
def test_every_models_import_form(
    tmp_path: Path, env_py: str, models: str, imports: list[str]
) -> None:
    app = _write(tmp_path, PACKAGE | {"migrations/env.py": env_py})
    assert metadata_from_env(app / "migrations" / "env.py", app) == (models, imports)


def test_flask_migrate_env_py_reads_the_apps_db(tmp_path: Path) -> None:
    app = _write(tmp_path, {
        "shop/__init__.py": "",
        "shop/ext.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "shop/models.py": "from shop.ext import db\nclass Order(db.Model):\n    pass\n",
        "migrations/env.py": (
            "from flask import current_app\n"
            "target_db = current_app.extensions['migrate'].db\n"
            "def get_metadata():\n    return target_db.metadata\n"
        ),
    })  # fmt: skip
    assert metadata_from_env(app / "migrations" / "env.py", app) == ("shop.ext:db.metadata", [])
    assert model_modules(app) == ["shop.models"]


def test_model_modules_found_by_their_mapped_classes(tmp_path: Path) -> None:
    app = _write(tmp_path, PACKAGE)
    assert model_modules(app) == ["pkg.models.item", "pkg.models.user"]


@pytest.mark.parametrize(
    ("code", "schema"),
    [
        ("engine.execution_options(schema_translate_map={None: tenant})", "*"),
        ("engine.execution_options(schema_translate_map={None: 'acme'})", "acme"),
        ("engine.execution_options(schema_translate_map={'shared': 'acme'})", None),
        ("engine = make()", None),
    ],
)
def test_tenant_schema(tmp_path: Path, code: str, schema: str | None) -> None:
    app = _write(tmp_path, {"app/db.py": code + "\n"})
    assert tenant_schema(app, None) == schema


def _table(name: str, schema: str | None = None) -> dict:
    columns = {
        "id": {"type": "INTEGER", "nullable": False},
        "name": {"type": "VARCHAR(20)", "nullable": True},
    }
    return {"schema": schema, "name": name, "columns": columns}


def test_models_schema_is_validated() -> None:
    def spec(section: dict) -> object:
        return database_spec(
            Target(name="t", kind="remote", base_url="http://x", raw={"database": section})
        )

    assert spec({}).models_schema == "public" and spec({"models_schema": "*"}).models_schema == "*"
    with pytest.raises(ConfigError, match="models_schema"):
        spec({"models_schema": "no such; schema"})


SYNC, ASYNC = Usage(False, False, False), Usage(True, False, False)


@pytest.mark.parametrize(
    ("drivers", "use", "name", "template"),
    [
        ({"psycopg2": "2.9", "sqlalchemy": "2.0.30"}, SYNC, "DATABASE_URL", "{url}"),
        ({"psycopg": "3.2", "sqlalchemy": "2.0.30"}, SYNC, "DATABASE_URL", "{url_psycopg}"),
        ({"psycopg2": "2.9", "sqlalchemy": "2.1.0"}, SYNC, "DATABASE_URL", "{url_psycopg2}"),
        ({"asyncpg": "0.30", "psycopg": "3.2"}, ASYNC, "DATABASE_URL", "{url_asyncpg}"),
        ({"psycopg": "3.2"}, ASYNC, "DATABASE_URL", "{url_psycopg}"),
        ({"asyncpg": "0.30", "psycopg2": "2.9"}, SYNC, "ASYNC_DATABASE_URL", "{url_asyncpg}"),
        ({"asyncpg": "0.30", "psycopg2": "2.9"}, ASYNC, "SYNC_DATABASE_URL", "{url}"),
        ({"psycopg": "3.2"}, Usage(True, True, False), "DATABASE_URL", "{url}"),  # it rewrites
    ],
)  # fmt: skip
def test_url_form_follows_the_installed_driver(
    drivers: dict, use: Usage, name: str, template: str
) -> None:
    assert url_template(name, Installed(drivers), use) == (template, None)


def test_no_driver_is_a_todo() -> None:
    template, todo = url_template("DATABASE_URL", Installed({"sqlalchemy": "2.0"}), SYNC)
    assert template == "{url}" and todo and "install psycopg2-binary or psycopg[binary]" in todo


def test_second_write_changes_nothing_and_a_different_profile_needs_force(tmp_path: Path) -> None:
    profile, routes = tmp_path / "targets.toml", tmp_path / "expected_routes.json"
    files = {profile: "a = 1\n", routes: "{}"}
    assert write_outputs(files, profile, force=False) == [
        "targets.toml written",
        "expected_routes.json written",
    ]
    assert write_outputs(files, profile, force=False) == [
        "targets.toml unchanged (already what init writes)",
        "expected_routes.json unchanged (already what init writes)",
    ]
    with pytest.raises(ConfigError, match="init would write it differently") as refused:
        write_outputs({profile: "a = 2\n", routes: "[]"}, profile, force=False)
    assert "--force" in refused.value.one_line()
    assert profile.read_text() == "a = 1\n" and routes.read_text() == "{}"
    assert write_outputs({profile: "a = 2\n"}, profile, force=True) == [
        "targets.toml updated",
        "  -a = 1",
        "  +a = 2",
    ]


def test_summary_lines_name_each_item_and_its_reason() -> None:
    checklist = {"items": [
        {"id": "health", "status": "pass", "reason": None},
        {"id": "models-match", "status": "fail", "reason": "the code expects 1 thing(s)\nmore"},
        {"id": "pgvector", "status": "na", "reason": "n/a: no vector extension"},
        {"id": "signoff", "status": "pending", "manual": True},
    ]}  # fmt: skip
    assert summary_lines(checklist, 1, "") == [
        "check: pytest --target local exited 1 (a required item fails or did not run)",
        "  pass        health",
        "  FAIL        models-match: the code expects 1 thing(s)",
        "  n/a         pgvector: no vector extension",
    ]


def test_init_says_what_its_own_run_found(tmp_path: Path) -> None:
    """Nothing runnable here: init still writes the profile, then its check says the local
    run exited 4 and names why."""
    (tmp_path / "main.py").write_text("print('hello')\n")
    command = [sys.executable, "-m", "harness", "init", "--yes", "--python", sys.executable]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "init: targets.toml written" in done.stdout
    assert "check: pytest --target local exited 4" in done.stdout
    assert "alembic" in done.stdout.split("exited 4", 1)[1]


MAPPED = {
    "pkg/__init__.py": "",
    "pkg/db.py": "from sqlalchemy.orm import DeclarativeBase\n\nclass Base(DeclarativeBase):\n    pass\n",
    "pkg/models/__init__.py": "",
    "pkg/models/user.py": (
        "from sqlalchemy.orm import Mapped, mapped_column\nfrom pkg.db import Base\n\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    "migrations/env.py": "from pkg.db import Base\ntarget_metadata = Base.metadata\n",
}


def test_a_metadata_without_tables_gets_the_model_modules(tmp_path: Path) -> None:
    """By effect, in an interpreter (this one): env.py imports only Base, so the metadata is
    empty until the module defining User is imported too."""
    app = _write(tmp_path, MAPPED)
    found = Findings(
        app_dir=app, models="pkg.db:Base.metadata", database_env={"DATABASE_URL": "{url}"}
    )
    assert verify_models(found, Path(sys.executable)) == []
    assert found.models_import == ["pkg.models.user"]


def test_a_metadata_that_cannot_load_is_one_todo_naming_the_error(tmp_path: Path) -> None:
    app = _write(tmp_path, MAPPED | {"pkg/db.py": "import no_such_module\n"})
    found = Findings(app_dir=app, models="pkg.db:Base.metadata")
    (todo,) = verify_models(found, Path(sys.executable))
    assert "No module named 'no_such_module'" in todo and "models_import" in todo
