"""A small app shaped like the commonest real backend (full-stack FastAPI template style),
written into a test's folder: settings from POSTGRES_SERVER/PORT/USER/PASSWORD/DB with a
default pointing at 127.0.0.1:5432 (as a developer's .env does), ``alembic.ini`` with a
relative ``script_location`` and ``prepend_sys_path = .``, an env.py that builds its URL from
those settings and ignores whatever it is handed, a migration needing ``uuid-ossp``, models
spread over modules that the package does not import. Runs on the harness's own interpreter
(fastapi, sqlalchemy, psycopg); fault ``SHAPE_FAULTS=model_column`` adds a model column no
migration creates."""

from __future__ import annotations

import textwrap
from pathlib import Path

FILES = {
    "alembic.ini": """\
        [alembic]
        script_location = app/alembic
        prepend_sys_path = .
        """,
    "app/__init__.py": "",
    "app/settings.py": """\
        import os
        def database_url() -> str:
            e = os.environ.get
            return (f"postgresql+psycopg://{e('POSTGRES_USER', 'postgres')}:{e('POSTGRES_PASSWORD', '')}"
                    f"@{e('POSTGRES_SERVER', '127.0.0.1')}:{e('POSTGRES_PORT', '5432')}/{e('POSTGRES_DB', 'app')}")
        """,
    "app/models/__init__.py": "from app.models.base import Base  # noqa: F401  (tables: app.models.user)\n",
    "app/models/base.py": """\
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            pass
        """,
    "app/models/user.py": """\
        import os, uuid
        from sqlalchemy import String, Uuid, text
        from sqlalchemy.orm import Mapped, mapped_column
        from app.models.base import Base
        class User(Base):
            __tablename__ = "user_account"
            id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("uuid_generate_v4()"))
            email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
            full_name: Mapped[str | None] = mapped_column(String(255))
            if "model_column" in os.environ.get("SHAPE_FAULTS", ""):
                nickname: Mapped[str | None] = mapped_column(String(50))
        """,
    "app/alembic/env.py": """\
        from alembic import context
        from sqlalchemy import create_engine
        from app.models.base import Base
        from app.settings import database_url
        import app.models.user  # noqa: F401
        # Exactly what real templates do: the URL from the app's settings, nothing else.
        with create_engine(database_url()).connect() as connection:
            context.configure(connection=connection, target_metadata=Base.metadata)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        """,
    "app/alembic/versions/0001_users.py": """\
        revision = "0001"
        down_revision = None
        from alembic import op
        def upgrade():
            op.execute('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
            op.execute("CREATE TABLE user_account (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), "
                       "email varchar(255) NOT NULL)")
            op.execute("CREATE UNIQUE INDEX ix_user_account_email ON user_account (email)")
        def downgrade():
            op.execute("DROP TABLE user_account")
        """,
    "app/alembic/versions/0002_full_name.py": """\
        revision = "0002"
        down_revision = "0001"
        from alembic import op
        def upgrade():
            op.execute("ALTER TABLE user_account ADD COLUMN full_name varchar(255)")
        def downgrade():
            op.execute("ALTER TABLE user_account DROP COLUMN full_name")
        """,
    "app/main.py": """\
        from fastapi import FastAPI
        from sqlalchemy import create_engine, text
        from app.settings import database_url
        app = FastAPI(openapi_url="/api/v1/openapi.json")
        engine = create_engine(database_url(), pool_pre_ping=True)
        @app.get("/api/v1/utils/health-check/")
        def health() -> bool:
            return True
        @app.get("/api/v1/users/count")
        def count() -> int:
            with engine.connect() as connection:
                return connection.execute(text("SELECT count(*) FROM user_account")).scalar_one()
        """,
}

POSTGRES_ENV = {
    "POSTGRES_SERVER": "{host}", "POSTGRES_PORT": "{port}", "POSTGRES_USER": "{user}",
    "POSTGRES_PASSWORD": "{password}", "POSTGRES_DB": "{database}",
}  # fmt: skip


def write_app(folder: Path) -> Path:
    for name, body in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    return folder


def profile(folder: Path, **extra: object) -> dict[str, object]:
    """The target's profile (without kind and addresses): everything through its keys."""
    return {
        "alembic_ini": str(folder / "alembic.ini"),
        "app": {"dir": str(folder), "asgi": "app.main:app", "database_env": POSTGRES_ENV,
                "migrate": [["{python}", "-m", "alembic", "upgrade", "head"]]},
        "health": {"path": "/api/v1/utils/health-check/", "expect": True},
        "database": {"models": "app.models:Base.metadata", "models_import": ["app.models.user"]},
        **extra,
    }  # fmt: skip


def wait_until_up(url: str, timeout_s: float = 90.0) -> None:
    """Until ``url`` answers 200 (a hand-started app on a loaded machine can take a while).
    Any error counts as "not yet": httpx has been seen to let httpcore's ConnectError through."""
    import time

    import httpx

    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url).status_code
            if last == 200:
                return
        except Exception as exc:  # noqa: BLE001
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"the hand-started app never answered {url}: {last!r}")
