"""What ``python -m harness init`` can learn from an app's source without importing it.

Everything here reads files (``ast`` and regular expressions); what only the app itself
can answer (its routes, its OpenAPI document) is asked of the app's own interpreter by
``harness.init.app_probe``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness.init.locate import locate_app, read_migration_setup

_SKIP_DIRS = {
    ".venv",
    "venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".tox",
    "build",
    "dist",
    "site-packages",
}


NO_VENV = "no .venv beside the app"


@dataclass
class Findings:
    app_dir: Path
    alembic_ini: Path | None = None
    python: Path | None = None
    asgi: str | None = None
    wsgi: str | None = None  # a Flask app ("module:app" / "module:create_app()")
    framework: str = ""  # fastapi | flask | starlette | "" (unknown)
    migrations: str = "alembic"  # or "flask" (Flask-Migrate)
    python_source: str = ""  # where the interpreter was found
    # [app] env: FLASK_APP before Flask 2.2, placeholders for required settings
    env: dict[str, str] = field(default_factory=dict)
    database_env: dict[str, str] = field(default_factory=dict)
    models: str | None = None
    models_import: list[str] = field(default_factory=list)
    models_schema: str | None = None  # where unqualified tables live (per-tenant: "*")
    no_models: str = ""  # why the app has no ORM models to compare (models-match n/a)
    env_py: Path | None = None
    migrate: list[list[str]] = field(default_factory=list)
    extensions: set[str] = field(default_factory=set)
    todo: list[str] = field(default_factory=list)


def _skipped(root: Path) -> set[str]:
    """Folder names never read: the usual ones, and any venv at the top (e.g. the harness's
    own ``.hv`` beside the app's ``.venv``), known by its pyvenv.cfg."""
    return _SKIP_DIRS | {p.parent.name for p in root.glob("*/pyvenv.cfg")}


def _walk(root: Path, pattern: str) -> Iterator[Path]:
    skip = _skipped(root)
    for path in sorted(root.rglob(pattern)):
        if not set(path.relative_to(root).parts[:-1]) & skip:
            yield path


def python_files(root: Path) -> Iterator[Path]:
    """The app's own modules (not its migrations' revision files)."""
    return (p for p in _walk(root, "*.py") if "versions" not in p.relative_to(root).parts[:-1])


def find_alembic_ini(root: Path) -> Path | None:
    """The shallowest alembic.ini outside virtualenvs (its folder is where alembic runs)."""
    found = list(_walk(root, "alembic.ini"))
    return min(found, key=lambda p: (len(p.parts), str(p))) if found else None




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
    from harness.init.reading import read_app  # late: it reads files through this module

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
