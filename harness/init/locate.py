"""Where the app lives and how it runs: its folder, its web app object, its interpreter, its
migrations. Fills ``Findings`` (harness.init.source) from harness.init.framework, layout,
interpreters, migrate and flask_shape; each thing it cannot decide is one TODO line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.init.flask_shape import flask_models, has_app_option, installed_versions
from harness.init.framework import candidates, choose, declared_entry_points, project_of
from harness.init.interpreters import find_interpreter
from harness.init.layout import app_folder, shadow_todo
from harness.init.migrate import read_migrations
from harness.init.srclayout import src_layout_entry

if TYPE_CHECKING:
    from harness.init.source import Findings


def locate_app(found: Findings, root: Path, files: list[Path]) -> None:
    """The app's folder, its app object (``asgi`` or, for Flask, ``wsgi``) and interpreter."""
    ini = found.alembic_ini
    chosen = choose(candidates(files, root, project_of(ini, root)), declared_entry_points(root))
    found.app_dir, chosen = app_folder(chosen, ini, root)
    layout = src_layout_entry(chosen, ini, root) if chosen is not None else None
    if layout is not None:  # src/ layout: run from the folder that declares src/, as the team does
        found.app_dir, chosen, source = layout
        found.models_path = [source]
    if chosen is not None:
        found.framework = chosen.framework
        if chosen.framework == "flask":
            found.wsgi = chosen.spec
        else:
            found.asgi = chosen.spec
        if chosen.factory and chosen.framework != "flask":
            found.todo.append(
                f"{chosen.spec} is a factory and uvicorn serves a module-level app: set [app] "
                "asgi to a module holding `app = create_app()` (add one if the app has none)"
            )
    shadow = shadow_todo(found.app_dir) if chosen is None else None
    if shadow:
        found.todo.append(shadow)
    interpreter = find_interpreter(found.app_dir, ini.parent if ini else None, root)
    if interpreter is not None:
        found.python = interpreter.python
        found.python_source = interpreter.source


def read_migration_setup(found: Findings, root: Path, files: list[Path]) -> Path | None:
    """Migrate steps and, for Flask-Migrate, the tool, the models and FLASK_APP; the env.py."""
    assert found.alembic_ini is not None
    setup = read_migrations(found.alembic_ini, found.app_dir, found.python, root, files)
    found.todo += setup.todo
    found.migrations = setup.tool
    found.migrate = setup.migrate or []
    if setup.tool == "flask":
        found.models, found.models_import = flask_models(files, found.app_dir)
        if found.wsgi is None and found.asgi is not None:  # Flask-Migrate: a Flask app after all
            found.wsgi, found.asgi, found.framework = found.asgi, None, "flask"
    if found.framework == "flask" or setup.tool == "flask":
        _flask_runtime(found)
    return setup.env_py


def _flask_runtime(found: Findings) -> None:
    """FLASK_APP for a Flask before 2.2 (no ``--app``); gunicorn, which serves it."""
    versions = installed_versions(found.python, ["flask", "gunicorn"])
    if found.wsgi and not has_app_option(versions.get("flask")):
        found.env["FLASK_APP"] = found.wsgi
    if versions and not versions.get("gunicorn"):
        found.todo.append(
            "gunicorn is not installed in the app's interpreter; the harness serves a Flask app "
            f"with it: install it there ({found.python} -m pip install gunicorn)"
        )
