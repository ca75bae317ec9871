"""What detection fills and what it reads: ``Findings`` and the app's own files.

Below harness.init.detect, so the readers it calls (locate, reading, envreads …) fill the
findings and walk the files without importing the module that calls them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    models_path: list[Path] = field(default_factory=list)  # a src/ layout's source folder
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
