"""init's reading of repository shapes real backends have (tests/init_shapes/*: small
synthetic apps, one per shape). Static detection only: no venv is built, no app imported,
except where a test names the interpreter it asks."""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from harness.init.detect import NO_VENV, detect
from harness.init.interpreters import poetry_env_names
from harness.init.profile import Plan, render

SHAPES = Path(__file__).resolve().parents[1] / "init_shapes"


def shape(name: str, tmp_path: Path) -> Path:
    """A copy of the shape (tests add venvs and files to it)."""
    folder = tmp_path / name
    shutil.copytree(SHAPES / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def fake_venv(folder: Path) -> Path:
    """A folder that looks like a venv to init: pyvenv.cfg and an executable bin/python."""
    (folder / "bin").mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n")
    (folder / "bin" / "python").symlink_to(sys.executable)
    return folder / "bin" / "python"


@pytest.fixture(autouse=True)
def _no_outside_venv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the developer's VIRTUAL_ENV nor a real Poetry may decide these tests."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))
    monkeypatch.setenv(
        "PATH",
        os.pathsep.join(
            p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "poetry").exists()
        ),
    )


def profile(found_root: Path) -> dict:
    found = detect(found_root)
    return tomllib.loads(render(Plan(root=found_root, found=found, todo=list(found.todo))))[
        "targets"
    ]


# ------------------------------------------------------------------ the app's folder, interpreters


def test_uv_workspace_runs_from_backend_with_the_root_venv(tmp_path: Path) -> None:
    repo = shape("uv_workspace", tmp_path)
    python = fake_venv(repo / ".venv")
    found = detect(repo)
    assert found.app_dir == repo / "backend"  # where shelf/ imports from, beside alembic.ini
    assert found.asgi == "shelf.main:app" and found.framework == "fastapi"
    assert found.python == python and "uv workspace" in found.python_source
    assert not any(line.startswith(NO_VENV) for line in found.todo)
    app = profile(repo)["local"]["app"]
    assert app["python"] == ".venv/bin/python" and app["dir"] == "backend"


def test_no_venv_anywhere_is_one_todo_naming_where_init_looked(tmp_path: Path) -> None:
    found = detect(shape("uv_workspace", tmp_path))
    (line,) = [t for t in found.todo if t.startswith(NO_VENV)]
    assert "uv workspace" in line and "Poetry" in line and "VIRTUAL_ENV" in line


def test_poetry_venv_in_its_cache_by_name_and_hash(tmp_path: Path) -> None:
    repo = shape("stamp_head", tmp_path)
    (repo / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "Note_Service"\nversion = "0.1.0"\n'
    )
    (name, *_) = poetry_env_names(repo)
    assert name.startswith("note-service-") and len(name) == len("note-service-") + 8
    python = fake_venv(tmp_path / "poetry-cache" / "virtualenvs" / f"{name}-py3.11")
    found = detect(repo)
    assert found.python == python and found.python_source == "Poetry's venv"


def test_poetry_in_project_setting(tmp_path: Path) -> None:
    repo = shape("stamp_head", tmp_path)
    (repo / "pyproject.toml").write_text('[tool.poetry]\nname = "notes"\n')
    (repo / "poetry.toml").write_text("[virtualenvs]\nin-project = true\n")
    python = fake_venv(repo / ".venv")
    assert detect(repo).python == python


def test_virtual_env_is_taken_unless_it_is_the_harness_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = shape("stamp_head", tmp_path)
    python = fake_venv(tmp_path / "elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "elsewhere"))
    found = detect(repo)
    assert found.python == python and found.python_source == "VIRTUAL_ENV"
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # the harness's own venv is not the app's
    assert detect(repo).python is None


def test_a_package_with_stdlib_named_modules_runs_from_its_parent(tmp_path: Path) -> None:
    repo = shape("pkg_shadow", tmp_path)
    found = detect(repo)
    # Not tally/ (alembic.ini's folder): from there `import types` would find tally/types.py.
    assert found.app_dir == repo and found.asgi == "tally.web:app"
    assert found.migrate == [
        [
            "{python}",
            "-m",
            "alembic",
            "-c",
            "tally/alembic.ini",
            "-n",
            "alembic:dev",
            "upgrade",
            "head",
        ]
    ]
    assert found.models == "tally.models:Base.metadata"


def test_a_namespace_package_is_recognised_by_its_own_imports(tmp_path: Path) -> None:
    repo = shape("pkg_shadow", tmp_path)
    (repo / "tally" / "__init__.py").unlink()  # no __init__.py, but web.py imports tally.types
    found = detect(repo)
    assert found.app_dir == repo and found.asgi == "tally.web:app"


# ------------------------------------------------------------------ alembic.ini forms


def test_the_harness_reads_named_sections_and_package_locations_without_importing(
    tmp_path: Path,
) -> None:
    from harness.checks.migrations import alembic_config, script_directory

    repo = shape("pkg_shadow", tmp_path)
    ini = repo / "tally" / "alembic.ini"
    config = alembic_config(ini, repo)
    assert (
        Path(config.get_main_option("script_location") or "")
        == (repo / "tally" / "migrations").resolve()
    )
    assert "tally" not in sys.modules or not str(
        getattr(sys.modules["tally"], "__file__", "")
    ).startswith(str(repo))
    assert list(script_directory(ini, repo).get_heads()) == ["0001"]


@pytest.mark.parametrize(
    ("location", "where"),
    [("%(here)s/scripts", "scripts"), ("scripts", "scripts"), ("pkg.db:scripts", "pkg/db/scripts")],
)
def test_script_location_forms(tmp_path: Path, location: str, where: str) -> None:
    from harness.init.migrate import script_folder

    (tmp_path / where).mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text(f"[alembic]\nscript_location = {location}\n")
    assert script_folder(tmp_path / "alembic.ini", tmp_path, None) == (tmp_path / where, None)


def test_a_package_location_off_disk_is_asked_of_the_apps_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.init.migrate import script_folder

    site = tmp_path / "site"  # installed into the app's venv, not in the repository
    (site / "ledgerpkg" / "migrations").mkdir(parents=True)
    (site / "ledgerpkg" / "__init__.py").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "alembic.ini").write_text("[alembic]\nscript_location = ledgerpkg:migrations\n")
    assert script_folder(app / "alembic.ini", app, None)[1] is not None  # no interpreter: a TODO
    monkeypatch.setenv("PYTHONPATH", str(site))  # what the app's interpreter sees
    folder, todo = script_folder(app / "alembic.ini", app, Path(sys.executable))
    assert todo is None and folder == site / "ledgerpkg" / "migrations"
    (app / "alembic.ini").write_text("[alembic]\nscript_location = nosuchpkg:migrations\n")
    folder, todo = script_folder(app / "alembic.ini", app, Path(sys.executable))
    assert folder is None and todo is not None and "nosuchpkg" in todo


# ------------------------------------------------------------------ migrate steps


def test_create_all_and_stamp_is_named_and_upgrade_runs_instead(tmp_path: Path) -> None:
    repo = shape("stamp_head", tmp_path)
    found = detect(repo)
    assert found.migrate == [
        ["{python}", "-m", "alembic", "upgrade", "head"],
        ["{python}", "-m", "app.seed"],
    ]
    (line,) = [t for t in found.todo if "stamp" in t]
    assert "drift and head cannot be trusted" in line and "scripts/prestart.sh:5" in line
    assert "app/init_db.py" in line and "alembic upgrade head" in line


def test_create_all_and_stamp_without_revisions_keeps_the_step(tmp_path: Path) -> None:
    repo = shape("stamp_head", tmp_path)
    shutil.rmtree(repo / "alembic" / "versions")
    found = detect(repo)
    assert ["{python}", "-m", "app.init_db"] in found.migrate
    assert any("no revision files" in t and "cannot be trusted" in t for t in found.todo)


def test_a_plain_shape_has_no_stamp_todo(tmp_path: Path) -> None:
    assert not any("stamp" in t for t in detect(shape("uv_workspace", tmp_path)).todo)


# ------------------------------------------------------------------ Flask


def test_flask_migrate_shape_is_a_wsgi_app_with_flask_migrations(tmp_path: Path) -> None:
    repo = shape("flask_board", tmp_path)
    found = detect(repo)
    assert found.app_dir == repo  # not migrations/, where alembic.ini is
    assert found.wsgi == "blog:app" and found.asgi is None  # the web module, not worker.py's app
    assert found.migrations == "flask" and found.migrate == []
    assert found.models == "board.models:db.metadata"
    targets = profile(repo)
    local, staging = targets["local"], targets["staging"]
    assert local["app"]["wsgi"] == "blog:app" and "asgi" not in local["app"]
    assert local["app"]["migrations"] == "flask" and "migrate" not in local["app"]
    assert staging["app"]["wsgi"] == "blog:app" and staging["app"]["migrations"] == "flask"
    assert local["routes"]["openapi_path"] == "" and local["routes"]["ignore"] == ["/static/*"]
    assert local["alembic_ini"] == "migrations/alembic.ini"


def test_the_repositorys_own_entry_point_wins(tmp_path: Path) -> None:
    repo = shape("flask_board", tmp_path)
    (repo / ".flaskenv").write_text("FLASK_APP=board:create_app()\n")
    assert detect(repo).wsgi == "board:create_app()"
    (repo / ".flaskenv").unlink()
    (repo / "Procfile").write_text("web: gunicorn -b 0.0.0.0:$PORT worker:app\n")
    assert detect(repo).wsgi == "worker:app"


def test_a_celery_app_is_not_the_web_app(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("from celery import Celery\n\napp = Celery('tasks')\n")
    (tmp_path / "celery_app.py").write_text("from myweb import create_app\n\napp = create_app()\n")
    (tmp_path / "myweb.py").write_text(
        "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n\napp = create_app()\n"
    )
    found = detect(tmp_path)
    assert found.wsgi == "myweb:app" and found.framework == "flask"


def test_flask_before_2_2_names_the_app_in_flask_app(tmp_path: Path) -> None:
    from harness.checks.rehearsal import alembic_argv
    from harness.config.targets import resolve_target
    from harness.init.runtime import app_entry
    from harness.stack.appcode import AppCode

    repo = shape("flask_board", tmp_path)
    found = detect(repo)
    found.migrate = [["{flask}", "db", "upgrade"], ["{python}", "-m", "board.seed"]]
    assert app_entry(found)["migrate"][0] == [
        "{python}",
        "-m",
        "flask",
        "--app",
        "blog:app",
        "db",
        "upgrade",
    ]
    found.env["FLASK_APP"] = "blog:app"  # what init writes for a Flask before 2.2
    assert app_entry(found)["migrate"][0] == ["{python}", "-m", "flask", "db", "upgrade"]
    found.migrate = []
    (repo / "targets.toml").write_text(render(Plan(root=repo, found=found)))
    spec = resolve_target("local", repo / "targets.toml").app
    assert spec is not None and spec.env["FLASK_APP"] == "blog:app"
    assert spec.migrate == (("{python}", "-m", "flask", "db", "upgrade"),)  # no --app
    argv, _ = alembic_argv(AppCode(spec), repo / "migrations" / "alembic.ini", "downgrade", "base")
    assert "--app" not in argv and argv[-4:-2] == ["downgrade", "base"]


def test_flask_version_decides_the_app_option() -> None:
    from harness.init.flask_shape import has_app_option

    assert not has_app_option("2.1.3") and has_app_option("2.2.0") and has_app_option("3.1.0")
    assert has_app_option(None)  # unknown: a current Flask


def test_the_app_of_the_migrations_project_comes_before_another_service(tmp_path: Path) -> None:
    repo = shape("uv_workspace", tmp_path)
    other = repo / "admin"  # a second service in the workspace, with no migrations of its own
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "admin"\n')
    (other / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    found = detect(repo)
    assert found.app_dir == repo / "backend" and found.asgi == "shelf.main:app"


def test_a_fastapi_factory_alone_is_a_todo(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(
        "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n"
    )
    found = detect(tmp_path)
    assert found.asgi == "service:create_app"
    assert any("is a factory and uvicorn serves a module-level app" in t for t in found.todo)


@pytest.mark.parametrize(
    ("name", "text", "spec"),
    [
        (".flaskenv", "FLASK_APP=blog.py\n", "blog.py"),
        (".env", "export FLASK_APP='board:create_app()'\n", "board:create_app()"),
        ("Procfile", "web: gunicorn -w 2 -b 0.0.0.0:$PORT blog:app\n", "blog:app"),
        (
            "Dockerfile",
            'CMD ["uvicorn", "shelf.main:app", "--host", "0.0.0.0"]\n',
            "shelf.main:app",
        ),
    ],
)
def test_entry_points_the_repository_declares(
    tmp_path: Path, name: str, text: str, spec: str
) -> None:
    from harness.init.framework import declared_entry_points

    (tmp_path / name).write_text(text)
    assert declared_entry_points(tmp_path) == [spec]


def _scripted_python(venv: Path, stdout: str) -> Path:
    """A venv whose "python" only prints ``stdout`` (what init asks of it is version info)."""
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = venv / "bin" / "python"
    python.write_text(f"#!/bin/sh\necho '{stdout}'\n")
    python.chmod(0o755)
    return python


def test_flask_2_1_in_the_apps_venv_gets_flask_app(tmp_path: Path) -> None:
    repo = shape("flask_board", tmp_path)
    _scripted_python(repo / ".venv", '{"flask": "2.1.3", "gunicorn": "21.2.0"}')
    found = detect(repo)
    assert found.env == {"FLASK_APP": "blog:app"} and not any("gunicorn" in t for t in found.todo)
    assert profile(repo)["local"]["app"]["env"] == {"FLASK_APP": "blog:app"}


def test_a_flask_app_without_gunicorn_is_a_todo(tmp_path: Path) -> None:
    repo = shape("flask_board", tmp_path)
    _scripted_python(repo / ".venv", '{"flask": "3.0.3", "gunicorn": null}')
    found = detect(repo)
    assert found.env == {} and any("gunicorn is not installed" in t for t in found.todo)


def test_poetry_itself_is_asked_when_installed(tmp_path: Path) -> None:
    from harness.init.interpreters import poetry_python

    venv_python = fake_venv(tmp_path / "somewhere" / "proj-AbCdEfGh-py3.12")
    poetry = tmp_path / "poetry"
    poetry.write_text(f"#!/bin/sh\n[ \"$1 $2 $3\" = 'env info -p' ] && echo '{venv_python.parent.parent}'\n")
    poetry.chmod(0o755)
    assert poetry_python(tmp_path, str(poetry)) == venv_python
