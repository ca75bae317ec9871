"""Which migrate steps are the migrations' own upgrade, and when the reference copy is taken."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.config.app import AppSpec
from harness.stack.app import is_upgrade_step, leading_upgrades, run_migrations

ALEMBIC = ("{python}", "-m", "alembic", "-c", "alembic.ini", "upgrade", "head")
FLASK = ("{python}", "-m", "flask", "--app", "app:create_app()", "db", "upgrade")
SEED = ("{python}", "-m", "app.initial_data")


@pytest.mark.parametrize(
    ("parts", "upgrade"),
    [
        (ALEMBIC, True),
        (FLASK, True),
        (("alembic", "upgrade", "head"), True),
        (("/srv/.venv/bin/alembic", "upgrade", "heads"), True),
        (("uv", "run", "alembic", "upgrade", "head"), True),
        (("flask", "db", "upgrade"), True),
        (SEED, False),
        (("alembic", "downgrade", "-1"), False),
        (("flask", "upgrade"), False),  # not Flask-Migrate's "db upgrade"
        (
            ("sh", "-c", "alembic upgrade head && python seed.py"),
            False,
        ),  # what else it runs is unknown
        (("psql", "-c", "CREATE INDEX ix ON t (c)"), False),
    ],
)
def test_upgrade_steps_are_recognised(parts, upgrade):
    assert is_upgrade_step(parts) is upgrade


@pytest.mark.parametrize(
    ("migrate", "count"),
    [
        ((ALEMBIC,), 1),
        ((ALEMBIC, SEED), 1),
        ((ALEMBIC, ALEMBIC, SEED), 2),
        ((SEED, ALEMBIC), 0),
        ((SEED,), 0),
    ],
)
def test_only_the_leading_upgrades_count(migrate, count):
    assert leading_upgrades(migrate) == count


def _note(text: str, *args: str) -> tuple[str, ...]:
    """A migrate step that appends ``text`` to steps.txt in the app folder (``args`` only make
    it look like an upgrade step)."""
    return (sys.executable, "-c", f"open('steps.txt', 'a').write({text!r} + ' ')", *args)


def test_the_copy_is_taken_and_finished_before_the_next_step(tmp_path):
    upgrade = _note("upgrade", "alembic", "upgrade", "head")
    spec = AppSpec(dir=tmp_path, python=sys.executable, migrate=(upgrade, _note("seed")))
    calls: list[str] = []

    def start_copy():
        calls.append((tmp_path / "steps.txt").read_text())
        return lambda: calls.append("copy finished")

    run_migrations(spec, {}, tmp_path / "log.txt", start_copy)
    assert calls == ["upgrade ", "copy finished"]
    assert (tmp_path / "steps.txt").read_text() == "upgrade seed "


def test_no_copy_when_another_step_runs_first(tmp_path):
    upgrade = _note("upgrade", "alembic", "upgrade", "head")
    spec = AppSpec(dir=tmp_path, python=sys.executable, migrate=(_note("seed"), upgrade))
    run_migrations(spec, {}, tmp_path / "log.txt", lambda: pytest.fail("no copy may be taken"))
    assert (tmp_path / "steps.txt").read_text() == "seed upgrade "


def test_the_copy_overlaps_the_app_start_when_nothing_follows(tmp_path):
    spec = AppSpec(
        dir=tmp_path,
        python=sys.executable,
        migrate=(_note("upgrade", "alembic", "upgrade", "head"),),
    )
    waited: list[bool] = []
    run_migrations(spec, {}, tmp_path / "log.txt", lambda: lambda: waited.append(True))
    assert waited == []  # started, not waited for: LocalStack joins it after the app starts


def test_python_m_alembic_steps_run_through_the_pointing_helper() -> None:
    from harness.stack.app import alembic_step

    pointed = alembic_step(["/app/.venv/bin/python", "-m", "alembic", "-c", "a.ini", "upgrade", "head"])
    assert pointed is not None and pointed[0] == "/app/.venv/bin/python"
    assert pointed[1].endswith("helpers/alembic_cli.py") and pointed[2:] == ["-c", "a.ini", "upgrade", "head"]
    assert alembic_step(["alembic", "upgrade", "head"]) is None  # whose interpreter is unknown
    venv_script = str(Path(sys.executable).with_name("alembic"))
    assert alembic_step([venv_script, "upgrade", "head"])[:1] == [str(Path(sys.executable).with_name("python"))]  # type: ignore[index]
    assert alembic_step(["/app/.venv/bin/python", "-m", "app.seed"]) is None


@pytest.mark.parametrize(
    ("ini_url", "expected"),
    [
        ("postgresql+asyncpg://u:p@db:5432/songs", "postgresql+asyncpg://h:pw@127.0.0.1:5/hv"),
        ("postgres://u:p@db/songs", "postgresql://h:pw@127.0.0.1:5/hv"),
        ("", "postgresql+psycopg://h:pw@127.0.0.1:5/hv"),
        ("driver://user:pass@localhost/dbname", "postgresql+psycopg://h:pw@127.0.0.1:5/hv"),
    ],
)
def test_the_harness_url_keeps_the_driver_the_ini_names(
    tmp_path, ini_url: str, expected: str
) -> None:
    """env.py built its engine for the ini's driver (an async one for async_engine_from_config)."""
    import importlib.util

    from alembic.config import Config

    from harness.stack.appcode import HELPERS

    spec = importlib.util.spec_from_file_location("hv_appalembic_t", HELPERS / "_appalembic.py")
    helper = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(helper)  # type: ignore[union-attr]
    (tmp_path / "alembic.ini").write_text(f"[alembic]\nscript_location = m\nsqlalchemy.url = {ini_url}\n")
    config = Config(str(tmp_path / "alembic.ini"))
    helper.point_at(config, "postgresql+psycopg://h:pw@127.0.0.1:5/hv")
    assert config.get_main_option("sqlalchemy.url") == expected
    assert config.cmd_opts.x == [f"url={expected}"]


def test_a_stopped_migrate_step_reads_in_japanese_too() -> None:
    from harness.report.messages import translate

    line = ("not run: the migrate step python -m alembic upgrade head stopped: Alembic found "
            "several head revisions (see migration-head), so the app was not started")  # fmt: skip
    assert translate("health", line, "ja") == (
        "未実施: マイグレーションのステップ python -m alembic upgrade head が停止しました。Alembic が"
        "複数のヘッドリビジョンを検出したため（migration-head を参照）、アプリは起動していません"
    )
