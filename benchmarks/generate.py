"""Generated systems under test for the scale benchmarks: a FastAPI app with N routes, an
Alembic script directory of N linear revisions, one whose migrations create N tables.

Everything is written into a folder the caller owns (a temp dir) and is deterministic, so
two runs measure the same thing.
"""

from __future__ import annotations

import json
from pathlib import Path

ROUTE_APP_MODULE = "bench_routes_app"

_APP_HEAD = '''"""Generated: {count} routes in routers of 100, the shapes a real API has."""
from fastapi import APIRouter, FastAPI, HTTPException

app = FastAPI()


@app.get("/api/health")
def health():
    return {{"status": "ok"}}
'''

# Four shapes per resource: a list, an item by id (its own 404), a create, a nested action.
# Resources are grouped 25 to a router: FastAPI nests each included router's lifespan, and
# thousands of include_router calls exceed Python's recursion limit at startup.
_RESOURCE = """

@g{g}.get("/res{n}/items")
def list_{n}():
    return []


@g{g}.get("/res{n}/items/{{item_id}}")
def get_{n}(item_id: int):
    raise HTTPException(404, "no such item")


@g{g}.post("/res{n}/items")
def create_{n}(body: dict):
    return body


@g{g}.post("/res{n}/items/{{item_id}}/archive")
def archive_{n}(item_id: int):
    return {{}}
"""
_PER_ROUTER = 25


def route_app(folder: Path, routes: int) -> list[str]:
    """Write ``bench_routes_app.py`` with ``routes`` routes besides health (a multiple of 4,
    rounded up) and return the expected list, ``"GET /api/health"`` included."""
    resources = max(1, -(-routes // 4))
    text = _APP_HEAD.format(count=resources * 4)
    for group in range(-(-resources // _PER_ROUTER)):
        text += f'\n\ng{group} = APIRouter(prefix="/api")\n'
        members = range(group * _PER_ROUTER, min(resources, (group + 1) * _PER_ROUTER))
        text += "".join(_RESOURCE.format(g=group, n=n) for n in members)
        text += f"\n\napp.include_router(g{group})\n"
    (folder / f"{ROUTE_APP_MODULE}.py").write_text(text)
    return _expected(folder, resources)


# ---------------------------------------------------------------- Alembic script directories

_INI = """[alembic]
script_location = %(here)s/migrations

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)s %(message)s
"""

# The env.py a typical project has: URL from the environment, sync engine, and the
# documented recipe of using a connection handed in through config.attributes.
_ENV = """import os

from alembic import context
from sqlalchemy import create_engine

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


run()
"""

_REVISION = '''"""revision {n}

Revision ID: {rev}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down_repr}
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def revision_id(n: int) -> str:
    return f"{n:04d}bench{n:03x}"[:12]


def script_directory(folder: Path, revisions: int, tables: int = 0) -> Path:
    """An Alembic project of ``revisions`` linear revisions; with ``tables`` > 0 the
    revisions between them create that many tables (each with a foreign key to the previous
    table, an index and a unique constraint, so the catalog comparison has work). A revision
    without a table creates a sequence, so that every revision has a real downgrade, as in
    an app whose history round-trips. Returns the alembic.ini path."""
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "alembic.ini").write_text(_INI)
    (folder / "migrations" / "env.py").write_text(_ENV)
    (folder / "migrations" / "script.py.mako").write_text("")
    per_revision = [0] * revisions
    for t in range(tables):
        per_revision[t * revisions // max(tables, 1)] += 1
    table_no = 0
    for n in range(revisions):
        down = revision_id(n - 1) if n else None
        made = list(range(table_no, table_no + per_revision[n]))
        table_no += per_revision[n]
        body = _REVISION.format(
            n=n, rev=revision_id(n), down=down or "", down_repr=repr(down),
            upgrade="\n".join(_create_table(t) for t in made) or f'    op.execute("CREATE SEQUENCE seq_r{n:04d}")',
            downgrade="\n".join(f'    op.drop_table("t{t:04d}")' for t in reversed(made))
            or f'    op.execute("DROP SEQUENCE seq_r{n:04d}")',
        )  # fmt: skip
        (versions / f"{revision_id(n)}_rev{n}.py").write_text(body)
    return folder / "alembic.ini"


def _create_table(t: int) -> str:
    parent = (
        f'        sa.Column("parent_id", sa.Integer, sa.ForeignKey("t{t - 1:04d}.id")),\n'
        if t
        else ""
    )
    return (
        f'    op.create_table("t{t:04d}",\n'
        '        sa.Column("id", sa.Integer, primary_key=True),\n'
        '        sa.Column("name", sa.String(80), nullable=False, server_default="x"),\n'
        '        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),\n'
        f"{parent}"
        f'        sa.UniqueConstraint("name", name="uq_t{t:04d}_name"),\n'
        "    )\n"
        f'    op.create_index("ix_t{t:04d}_created", "t{t:04d}", ["created_at"])'
    )


# ---------------------------------------------------------------- a whole app (bench_bigapp)

_FLASK_HEAD = '''"""Generated: {count} routes in blueprints of 100, the shapes a real API has."""
from flask import Blueprint, Flask, abort, request

app = Flask(__name__)


@app.get("/api/health")
def health():
    return {{"status": "ok"}}
'''
_FLASK_RESOURCE = """

@g{g}.get("/res{n}/items")
def list_{n}():
    return []


@g{g}.get("/res{n}/items/<int:item_id>")
def get_{n}(item_id):
    abort(404)


@g{g}.post("/res{n}/items")
def create_{n}():
    return request.get_json(silent=True) or {{}}


@g{g}.post("/res{n}/items/<int:item_id>/archive")
def archive_{n}(item_id):
    return {{}}
"""


def flask_route_app(folder: Path, routes: int) -> list[str]:
    """The Flask twin of ``route_app``: the same routes and expected list, in blueprints."""
    resources = max(1, -(-routes // 4))
    text = _FLASK_HEAD.format(count=resources * 4)
    for group in range(-(-resources // _PER_ROUTER)):
        text += f'\n\ng{group} = Blueprint("g{group}", __name__, url_prefix="/api")\n'
        members = range(group * _PER_ROUTER, min(resources, (group + 1) * _PER_ROUTER))
        text += "".join(_FLASK_RESOURCE.format(g=group, n=n) for n in members)
        text += f"\n\napp.register_blueprint(g{group})\n"
    (folder / f"{ROUTE_APP_MODULE}.py").write_text(text)
    return _expected(folder, resources)


def _expected(folder: Path, resources: int) -> list[str]:
    expected = ["GET /api/health"]
    for n in range(resources):
        base = f"/api/res{n}/items"
        expected += [f"GET {base}", f"GET {base}/{{item_id}}", f"POST {base}",
                     f"POST {base}/{{item_id}}/archive"]  # fmt: skip
    (folder / "expected.json").write_text(json.dumps({"routes": expected}))
    return expected


MODELS_MODULE = "bench_models"


def models_module(folder: Path, tables: int) -> None:
    """``bench_models.py``: the SQLAlchemy metadata the tables of ``script_directory`` match
    (models-match has every column, index and constraint to compare)."""
    lines = ['"""Generated: the models of the generated migrations."""',
             "import sqlalchemy as sa", "", "metadata = sa.MetaData()", ""]  # fmt: skip
    for t in range(tables):
        parent = (
            f'    sa.Column("parent_id", sa.Integer, sa.ForeignKey("t{t - 1:04d}.id")),\n'
            if t
            else ""
        )
        lines.append(
            f't{t:04d} = sa.Table("t{t:04d}", metadata,\n'
            '    sa.Column("id", sa.Integer, primary_key=True),\n'
            '    sa.Column("name", sa.String(80), nullable=False, server_default="x"),\n'
            '    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),\n'
            f"{parent}"
            f'    sa.UniqueConstraint("name", name="uq_t{t:04d}_name"),\n'
            f'    sa.Index("ix_t{t:04d}_created", "created_at"),\n'
            ")"
        )  # fmt: skip
    (folder / f"{MODELS_MODULE}.py").write_text("\n".join(lines) + "\n")
