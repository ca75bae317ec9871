"""An alembic.ini URL that env.py uses, and two heads (docs/corpus.md, gap 2), end to end.

The app (written here, run in the harness's own venv) reads DATABASE_URL, but its env.py
builds the migrations' engine from alembic.ini's ``sqlalchemy.url``, which names a database
nothing on this machine serves (a compose service's, in real repositories: here
``localhost:9``, so that nothing leaves the machine). The harness hands its own database to
every Alembic command it runs, so the run is right with no edit; with a second head in the
scripts, the migrate step stops on Alembic's "Multiple head revisions": migration-head
fails naming both heads (exit 1), nothing else is judged, and no configuration error.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import HarnessProject

pytestmark = pytest.mark.stack

NOT_HERE = ("routes", "routes-reachable", "pgvector", "pgvector-usable", "models-match",
            "wallet-reward", "wallet-idempotent")  # fmt: skip
FILES = {
    "alembic.ini": """\
        [alembic]
        script_location = migrations
        prepend_sys_path = .
        sqlalchemy.url = postgresql+psycopg://songs:songs@localhost:9/songs
        """,
    "songs/__init__.py": "",
    "songs/main.py": """\
        import os
        from fastapi import FastAPI
        from sqlalchemy import create_engine, text
        engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
        app = FastAPI()
        @app.get("/api/health")
        def health() -> dict:
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM song"))
            return {"status": "ok"}
        """,
    "migrations/env.py": """\
        from alembic import context
        from sqlalchemy import engine_from_config, pool
        config = context.config
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with connectable.connect() as connection:
            context.configure(connection=connection, target_metadata=None)
            with context.begin_transaction():
                context.run_migrations()
        """,
    "migrations/versions/0001_song.py": """\
        revision = "0001"
        down_revision = None
        from alembic import op
        def upgrade():
            op.execute("CREATE TABLE song (id serial PRIMARY KEY, name text NOT NULL)")
        def downgrade():
            op.execute("DROP TABLE song")
        """,
}
SECOND_BASE = """\
    revision = "0001b"
    down_revision = None
    def upgrade():
        pass
    def downgrade():
        pass
    """


def _songs(project: HarnessProject, *, two_heads: bool = False) -> Path:
    folder = project.path / "songs_repo"
    for name, body in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    if two_heads:
        (folder / "migrations/versions/0001b_other.py").write_text(textwrap.dedent(SECOND_BASE))
    project.set_targets({"targets": {"songs": {
        "kind": "local", "alembic_ini": str(folder / "alembic.ini"),
        "app": {"dir": str(folder), "asgi": "songs.main:app",
                "database_env": {"DATABASE_URL": "{url_psycopg}"},
                "migrate": [["{python}", "-m", "alembic", "upgrade", "head"]]},
        "health": {"path": "/api/health", "expect": {"status": "ok"}},
        "checks": {"not_applicable": dict.fromkeys(NOT_HERE, "not part of this app")},
    }}})  # fmt: skip
    return folder


def test_the_migrate_step_reaches_the_harness_database_whatever_the_ini_names(
    project: HarnessProject,
) -> None:
    _songs(project)
    run = project.run("--target=songs")
    out = run.stdout.str()
    assert run.ret == 0, out
    outcomes = project.outcomes_by_item()
    assert outcomes["migration-head"] == outcomes["health"] == outcomes["schema-drift"] == {"passed"}
    assert "localhost:9" not in out and "CONFIGURATION ERROR" not in out


def test_two_heads_stop_the_migrate_step_as_a_migration_head_failure(
    project: HarnessProject,
) -> None:
    _songs(project, two_heads=True)
    run = project.run("--target=songs")
    out = run.stdout.str()
    assert run.ret == 1, out
    assert "CONFIGURATION ERROR" not in out
    assert project.failed_items() == {"migration-head"}
    (head,) = [t for t in project.results()["tests"] if "migration-head" in t["checklist"]]
    assert "the scripts have 2 heads (0001, 0001b): a merge revision is needed" in str(head), head
    outcomes = project.outcomes_by_item()
    assert outcomes["health"] == outcomes["schema-drift"] == {"skipped"}
    report = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "Alembic found several head revisions (see migration-head)" in report
