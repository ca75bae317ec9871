"""What ``python -m harness init`` can learn from an app's source without importing it.

Everything here reads files (``ast`` and regular expressions); what only the app itself
can answer (its routes, its OpenAPI document) is asked of the app's own interpreter by
``harness.init.app_probe``.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.init.locate import locate_app, read_migration_setup
from harness.init.reading import read_app
from harness.init.source import Findings, find_alembic_ini, python_files

NO_VENV = "no .venv beside the app"


def find_extensions(ini: Path | None, env_py: Path | None) -> set[str]:
    """PostgreSQL extensions the migrations create (vector, uuid-ossp, pgcrypto …)."""
    folder = env_py.parent if env_py else (ini.parent if ini else None)
    if folder is None:
        return set()
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(
            m.lower()
            for m in re.findall(
                r"CREATE EXTENSION (?:IF NOT EXISTS )?\"?([\w-]+)", text, re.IGNORECASE
            )
        )
    return found


def detect(root: Path) -> Findings:
    ini = find_alembic_ini(root)
    found = Findings(app_dir=root, alembic_ini=ini)
    files = list(python_files(root))
    locate_app(found, root, files)  # the app's folder, app object, interpreter (harness.init.locate)
    env_py = read_migration_setup(found, root, files) if ini else None
    found.extensions = find_extensions(ini, env_py)
    read_app(found, env_py)  # database_env, env, hard-coded URLs, models
    _note_gaps(found)
    return found


def _note_gaps(found: Findings) -> None:
    if found.alembic_ini is None:
        found.todo.append("no alembic.ini found: set alembic_ini (the database checks need it)")
    if found.python is None:
        found.todo.append(
            f"{NO_VENV} (nor in the repository, a uv workspace, VIRTUAL_ENV or Poetry's cache): "
            "[app] python is the harness's interpreter; name the app's (init --python PATH)"
        )
    if found.asgi is None and found.wsgi is None:
        found.todo.append(
            'no `app = FastAPI(...)`/`Flask(...)` or create_app found: set [app] asgi = "module:app" '
            '(or wsgi = "module:create_app()" for Flask)'
        )
    if not found.database_env:
        found.todo.append(
            "could not tell which variables the app reads its database from: set [app] database_env"
        )
    if found.models is None and not found.no_models:
        found.todo.append(
            'alembic env.py names no X.metadata: set [database] models = "module:Base.metadata"'
        )
