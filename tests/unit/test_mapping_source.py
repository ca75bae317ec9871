"""What an app's folder says about the database it read (harness.stack.appsource) and the
one line harness.stack.mapping makes of it. The live effect checks are tests/e2e/test_mapping.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from harness.config.app import AppSpec
from harness.stack.appsource import look
from harness.stack.mapping import instead, remedy


def _app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _spec(tmp_path: Path, **fields: object) -> AppSpec:
    return AppSpec(dir=tmp_path, **fields)  # type: ignore[arg-type]


def test_a_hard_coded_url_is_named_with_its_line_and_no_password(tmp_path: Path) -> None:
    app = _app(tmp_path, {"app/db.py": 'import x\n# sqlite:///./old.db\nURL = "postgresql://u:secret@db/app"\n'})
    findings = look(app, time.time(), ["DATABASE_URL"])
    assert [str(place) for place in findings.urls] == ["app/db.py:3"]
    line = instead(findings, _spec(tmp_path))
    assert line == (
        "not DATABASE_URL (database_env fills it; the app's source never names it), "
        "the URL hard-coded at app/db.py:3 (postgresql://…)"
    )


def test_the_url_is_the_answer_when_the_variable_is_read(tmp_path: Path) -> None:
    app = _app(tmp_path, {"app/db.py": 'import os\nURL = os.environ.get("DATABASE_URL") or "sqlite:///x.db"\n'})
    findings = look(app, time.time(), ["DATABASE_URL"])
    assert findings.unread == ()
    assert instead(findings, _spec(tmp_path)) == "the URL hard-coded at app/db.py:2 (sqlite://…)"
    assert remedy(findings, _spec(tmp_path), "local").startswith("make app/db.py:2 read its URL")


@pytest.mark.parametrize(
    "source",
    [
        'ENGINE = os.getenv("DB_ENGINE", "sqlite")\n',
        'ENGINE = os.environ.get("DB_ENGINE", default="sqlite")\n',
        'class Settings(BaseSettings):\n    db_engine: str = "sqlite"\n',
        'class Settings(BaseSettings):\n    DB_ENGINE: Literal["sqlite", "postgresql"] = "sqlite"\n',
    ],
)
def test_an_engine_switch_defaulting_to_sqlite_is_found(tmp_path: Path, source: str) -> None:
    findings = look(_app(tmp_path, {"settings.py": source}), time.time(), ["DATABASE_URL"])
    assert findings.switch is not None and findings.switch.found == "DB_ENGINE"
    assert "env to the value that selects PostgreSQL" in remedy(findings, _spec(tmp_path), "local")


def test_a_switch_the_profile_sets_is_not_the_cause(tmp_path: Path) -> None:
    findings = look(_app(tmp_path, {"s.py": 'E = os.getenv("DB_ENGINE", "sqlite")\n'}), time.time(), [])
    spec = _spec(tmp_path, env={"DB_ENGINE": "postgresql"}, database_env={"DATABASE_URL": "{url}"})
    assert "DB_ENGINE" not in instead(findings, spec)


def test_a_settings_field_reads_its_variable_but_a_function_name_does_not(tmp_path: Path) -> None:
    field = look(_app(tmp_path / "a", {"c.py": "class S:\n    database_url: str\n"}), time.time(), ["DATABASE_URL"])
    function = look(_app(tmp_path / "b", {"c.py": "def database_url():\n    pass\n"}), time.time(), ["DATABASE_URL"])
    assert field.unread == () and function.unread == ("DATABASE_URL",)


def test_only_sqlite_files_written_since_the_start_count(tmp_path: Path) -> None:
    app = _app(tmp_path, {"old.db": "", "data/new.sqlite3": "", ".venv/lib/x.db": "", "targets.toml": "DATABASE_URL"})
    past = time.time() - 3600
    os.utime(app / "old.db", (past, past))
    findings = look(app, time.time() - 60, ["DATABASE_URL"])
    assert findings.sqlite_written == ("data/new.sqlite3",)
    assert findings.unread == ("DATABASE_URL",)  # the harness's own targets.toml does not count
    assert instead(findings, _spec(tmp_path)).startswith("SQLite (it wrote data/new.sqlite3)")


def test_nothing_found_still_says_something(tmp_path: Path) -> None:
    findings = look(_app(tmp_path, {"main.py": 'import os\nos.environ["DATABASE_URL"]\n'}), time.time(), ["DATABASE_URL"])
    assert instead(findings, _spec(tmp_path)) == "another database than the one DATABASE_URL names"


def test_a_url_in_a_message_is_prose_not_a_setting(tmp_path: Path) -> None:
    source = 'raise ConfigError("DATABASE_URL is not set (e.g. postgres://user:pw@host/db)")\n'
    assert look(_app(tmp_path, {"config.py": source, ".env": "X_URL=sqlite:///a.db\n"}), time.time(), []).urls[0].file == ".env"


@pytest.mark.parametrize(
    ("migrate", "checked"),
    [
        ([["{python}", "-m", "alembic", "upgrade", "head"]], True),
        ([["bash", "scripts/prestart.sh"]], True),
        ([["{python}", "-m", "flask", "db", "upgrade"]], True),
        ([["{python}", "-c", "pass"]], False),  # a placeholder migrates nothing: no version table due
    ],
)
def test_the_version_table_is_due_after_a_real_migrate_step(
    tmp_path: Path, migrate: list[list[str]], checked: bool
) -> None:
    import tomli_w

    from harness.config.targets import resolve_target
    from harness.stack.mapping import MappingProbe

    (tmp_path / "alembic.ini").write_text("[alembic]\n")
    profile = {"kind": "local", "alembic_ini": "alembic.ini", "app": {"dir": ".", "migrate": migrate}}
    (tmp_path / "targets.toml").write_text(tomli_w.dumps({"targets": {"t": profile}}))
    probe = MappingProbe.for_target(resolve_target("t", tmp_path / "targets.toml", environ={}), "postgresql://x")
    assert probe is not None and (probe.version_table == ("public", "alembic_version")) is checked


def test_a_sqlite_cache_beside_postgresql_is_not_a_wrong_mapping(tmp_path: Path) -> None:
    from harness.stack.mapping import _went_to_sqlite

    app = _app(tmp_path, {"cache.sqlite": "", "s.py": 'URL = os.environ["DATABASE_URL"]\nCACHE = "sqlite:///cache.sqlite"\n'})
    spec = _spec(tmp_path)
    assert not _went_to_sqlite(look(app, time.time() - 60, ["DATABASE_URL"]), spec)
    (app / "s.py").write_text('E = os.getenv("DB_ENGINE", "sqlite")\n')
    assert _went_to_sqlite(look(app, time.time() - 60, ["DATABASE_URL"]), spec)
