"""init's reading of settings, database variables and hard-coded URLs (static: no venv,
no subprocess). The shapes are ``tests/init_shapes`` and small apps written here."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.init.detect import detect
from harness.init.envreads import MISSING, env_reads
from harness.init.hardcoded import fixed_ports, hard_coded_urls
from harness.init.settings import PLACEHOLDER_TEXT, placeholder_for, read_settings

SHAPES = Path(__file__).resolve().parents[1] / "init_shapes"


def _app(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_prefixed_parts_without_port_and_required_fields() -> None:
    found = detect(SHAPES / "settings_parts")
    assert found.database_env == {
        "SVC_DB_HOST": "{host}", "SVC_DB_USER": "{user}", "SVC_DB_PASSWORD": "{password}",
        "SVC_DB_NAME": "{database}", "PGPORT": "{port}",
    }  # fmt: skip
    # production: bool and an aliased signing key: no default, so the app cannot import
    assert found.env == {"SVC_PRODUCTION": "false", "SVC_SIGNING_KEY": PLACEHOLDER_TEXT}
    todo = "\n".join(found.todo)
    assert "settings field production (svc/config.py:14) is required" in todo
    assert "settings field signing_key (svc/config.py:15)" in todo
    assert "could not tell which variables" not in todo


def test_engine_switch_defaulting_to_sqlite_is_set_to_the_apps_word() -> None:
    found = detect(SHAPES / "switch_async")
    assert found.database_env == {"SQLALCHEMY_DATABASE_URI": "{url}", "DB_ENGINE": "postgres"}
    assert found.env == {}


def test_required_url_read_is_mapped_not_a_placeholder() -> None:
    found = detect(SHAPES / "tenant_schema")
    assert found.database_env == {"DATABASE_URL": "{url}"} and found.env == {}
    assert found.models_schema == "*"


def test_settings_shapes(tmp_path: Path) -> None:
    """Inherited env_prefix, AliasChoices, pydantic 1's Config with Optional, a guarded
    subscript, a read in a CLI helper, a switch compared with "pg", Flask's prefixed env."""
    app = _app(tmp_path, {
        "app/config.py": """
            import os
            from typing import Optional
            from pydantic import AliasChoices, Field
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Base(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="acme_")

            class Settings(Base):
                database_url: str = Field(validation_alias=AliasChoices("ACME_DB_DSN", "DB_DSN"))
                db_backend: str = "sqlite"
                workers: int
                admins: list[str]

            class Old(BaseSettings):
                token: Optional[str]
                class Config:
                    env_prefix = "OLD_"

            if os.getenv("SENTRY_DSN"):
                dsn = os.environ["SENTRY_DSN"]
            BACKEND = "pg" if Settings().db_backend == "pg" else "sqlite"
        """,
        "app/cli.py": """
            import os

            def rotate_keys():
                return os.environ["ROTATION_KEY"]
        """,
        "app/web.py": "def create_app(app):\n    app.config.from_prefixed_env()\n",
    })  # fmt: skip
    settings = read_settings(app)
    assert settings.database_env == {
        "ACME_DB_DSN": "{url}", "ACME_DB_BACKEND": "pg", "FLASK_SQLALCHEMY_DATABASE_URI": "{url}",
    }  # fmt: skip
    assert settings.env == {
        "ACME_WORKERS": "1",
        "ACME_ADMINS": "[]",
    }  # not OLD_TOKEN, SENTRY_DSN, ROTATION_KEY


def test_case_sensitive_settings_keep_the_fields_case(tmp_path: Path) -> None:
    app = _app(tmp_path, {"s.py": (
        "class S(BaseSettings):\n    model_config = SettingsConfigDict(case_sensitive=True)\n"
        "    database_url: str\n    Token: str\n"
    )})  # fmt: skip
    settings = read_settings(app)
    assert settings.database_env == {"database_url": "{url}"} and set(settings.env) == {"Token"}
    assert [r.name for r in env_reads(app)] == ["database_url", "Token"]


def test_env_reads_say_where_and_whether_required(tmp_path: Path) -> None:
    app = _app(tmp_path, {"svc.py": 'import os\nA = os.environ["A"]\nB = os.getenv("B", "x")\n'})
    reads = {r.name: r for r in env_reads(app)}
    assert reads["A"].default is MISSING and reads["A"].where == "svc.py:2"
    assert reads["B"].default == "x" and not reads["B"].required


@pytest.mark.parametrize(
    ("annotation", "value"),
    [("bool", "false"), ("int", "1"), ("list[str]", "[]"), ("AnyHttpUrl", "http://127.0.0.1:9"),
     ('Literal["dev", "prod"]', "dev"), ("SecretStr", PLACEHOLDER_TEXT), ("str | None", PLACEHOLDER_TEXT)],
)  # fmt: skip
def test_placeholders_fit_the_type(annotation: str, value: str) -> None:
    assert placeholder_for(annotation) == value


@pytest.mark.parametrize(
    ("annotation", "name", "value"),
    [("str", "FIRST_SUPERUSER", "hv-init@example.com"), ("", "ADMIN_EMAIL", "hv-init@example.com"),
     ("str", "REDIS_URL", "redis://127.0.0.1:9/0"), ("str | None", "FRONTEND_URL", "http://127.0.0.1:9"),
     ("int", "SMTP_URL_COUNT", "1"), ("str", "SECRET_KEY", PLACEHOLDER_TEXT)],
)  # fmt: skip
def test_placeholders_fit_the_name_where_the_type_is_only_str(
    annotation: str, name: str, value: str
) -> None:
    assert placeholder_for(annotation, name) == value


def test_hard_coded_urls_are_named_with_file_line_and_a_masked_password(tmp_path: Path) -> None:
    app = _app(tmp_path, {
        "app/db.py": '''
            """Connects to postgresql://doc@example/db (a docstring: not code)."""
            import os
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg2://admin:s3cret@db.internal:5432/shop")
            fallback = os.environ.get("DATABASE_URL") or "sqlite:///./dev.db"
            fixed = "sqlite:///./cache.db"
            scheme = url.replace("postgres://", "postgresql://")
            built = f"postgresql://{user}@{host}:5432/{name}"
        ''',
        "tests/helpers.py": 'URL = "postgresql://t@localhost/t"\n',
    })  # fmt: skip
    urls = hard_coded_urls(app)
    assert [(u.where, u.url) for u in urls] == [
        ("app/db.py:6", "postgresql+psycopg2://admin:***@db.internal:5432/shop"),
        ("app/db.py:8", "sqlite:///./cache.db"),
    ]
    assert "read it from DATABASE_URL" in urls[0].todo("DATABASE_URL")
    assert "s3cret" not in urls[0].todo(None)
    (port,) = fixed_ports(app)
    assert port.startswith("app/db.py:10 builds the database URL with port 5432")


def test_hard_coded_url_reaches_the_todo_lines(tmp_path: Path) -> None:
    app = _app(tmp_path, {
        "main.py": 'from fastapi import FastAPI\nimport os\nURL = os.environ["DATABASE_URL"]\napp = FastAPI()\n',
        "cache.py": 'LOCAL = "sqlite:///./local.db"\n',
    })  # fmt: skip
    todo = "\n".join(detect(app).todo)
    assert "cache.py:1 hard-codes the database URL 'sqlite:///./local.db'" in todo
    assert "read it from DATABASE_URL" in todo


def test_a_dotenv_that_turns_the_switch_to_sqlite_is_overridden(tmp_path: Path) -> None:
    app = _app(tmp_path, {
        ".env": "DATABASE_ENGINE=sqlite\nexport USE_SQLITE='true'\n",
        "app/settings.py": """
            import os
            ENGINE = os.getenv("DATABASE_ENGINE", "postgresql")
            USE_SQLITE = os.getenv("USE_SQLITE", "0") == "1"
            URL = os.environ["DATABASE_URL"] if ENGINE == "postgresql" else "sqlite://"
        """,
        "app/tests_settings.py": "class TestSettings(BaseSettings):\n    only_in_tests: str\n",
    })  # fmt: skip
    settings = read_settings(app)
    assert settings.database_env == {
        "DATABASE_URL": "{url}", "DATABASE_ENGINE": "postgresql", "USE_SQLITE": "false",
    }  # fmt: skip
    assert settings.env == {} and settings.todo == []


def test_names_read_through_the_apps_own_helper(tmp_path: Path) -> None:
    """Neither os.environ nor a settings class: the names in its strings still say."""
    parts = "\n".join(
        f'{p} = need("PG_{p}")' for p in ("HOST", "PORT", "USER", "PASSWORD", "DATABASE")
    )
    assert read_settings(_app(tmp_path / "a", {"a.py": parts})).database_env == {
        "PG_HOST": "{host}", "PG_PORT": "{port}", "PG_USER": "{user}",
        "PG_PASSWORD": "{password}", "PG_DATABASE": "{database}",
    }  # fmt: skip
    url = 'URL = need("SHOP_DATABASE_URL")\nOTHER = "SHOP_DATABASE_URL"\n'
    assert read_settings(_app(tmp_path / "b", {"b.py": url})).database_env == {
        "SHOP_DATABASE_URL": "{url}"
    }
