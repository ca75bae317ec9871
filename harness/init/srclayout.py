"""A ``src/`` layout: the app's package under a folder that the repository's own configuration
puts on ``sys.path``, the team's commands typed from the folder above.

alembic.ini's ``prepend_sys_path = src``, pytest's ``pythonpath = ["src"]`` or setuptools'
``package-dir``/``where`` say that ``src/`` is a source folder, not where anyone runs
anything: alembic is run beside its ini (``script_location = alembic`` is relative to that
folder), and the server imports the app through a top-level module that re-exports it
(``main.py``: ``from rag_api.main import app``, served as ``uvicorn main:app``). So the app's
folder is the declaring folder, the entry is that module, and the models (loaded by the
harness's helpers, which honour no ``prepend_sys_path``) need the source folder on their
path: ``[database] models_path``.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

from harness.config.alembic_ini import ini_option
from harness.init.framework import AppObject

# Modules a server is pointed at, likeliest first (``uvicorn main:app``).
_ENTRY_NAMES = ("main", "app", "asgi", "wsgi", "server", "application", "api", "web", "run")


def src_layout_entry(
    chosen: AppObject, ini: Path | None, repo: Path
) -> tuple[Path, AppObject, Path] | None:
    """(the app's folder, the app object as imported from there, the source folder) when
    ``chosen`` lives in a source folder that a folder above it declares and that folder has
    a module re-exporting the app; None otherwise (the layout is not a src/ one)."""
    source = chosen.import_root.resolve()
    base = source.parent
    while base.is_relative_to(repo.resolve()):
        if source in declared_source_folders(base, ini):
            entry = reexport(base, chosen)
            return (base, entry, source) if entry is not None else None
        if base == repo.resolve() or base.parent == base:
            break
        base = base.parent
    return None


def declared_source_folders(base: Path, ini: Path | None) -> set[Path]:
    """Folders that ``base``'s alembic.ini or pyproject.toml put on ``sys.path``."""
    folders: list[str] = []
    if ini is not None and ini.parent.resolve() == base:
        # Alembic splits on its path_separator (os: ":"), or on spaces and commas (legacy).
        folders += re.split(r"[\s,:;]+", ini_option(ini, "prepend_sys_path") or "")
    folders += _pyproject_paths(base / "pyproject.toml")
    return {(base / f).resolve() for f in folders if f and f != "."}


def _pyproject_paths(pyproject: Path) -> list[str]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    tool = data.get("tool", {})
    found = _strings(tool.get("pytest", {}).get("ini_options", {}).get("pythonpath"))
    setuptools = tool.get("setuptools", {})
    found += _strings(setuptools.get("package-dir", {}).get(""))
    packages = setuptools.get("packages", {})
    if isinstance(packages, dict):
        found += _strings(packages.get("find", {}).get("where"))
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def reexport(base: Path, chosen: AppObject) -> AppObject | None:
    """A module directly in ``base`` that imports the app object from its module
    (``from rag_api.main import app``): what the team serves from ``base``."""
    found = []
    for path in sorted(base.glob("*.py")):
        name = _imported_as(path, chosen.module, chosen.attribute)
        if name is not None:
            found.append(AppObject(
                chosen.framework, path.stem, name, chosen.factory, base, path, chosen.score,
            ))  # fmt: skip
    rank = {name: i for i, name in enumerate(_ENTRY_NAMES)}
    found.sort(key=lambda o: (rank.get(o.module, len(rank)), o.module))
    return found[0] if found else None


def _imported_as(path: Path, module: str, attribute: str) -> str | None:
    """The name under which ``path`` imports ``module.attribute`` at its top level (inside a
    ``try`` too), or None."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return None
    nodes = list(tree.body)
    nodes += [n for t in tree.body if isinstance(t, ast.Try) for n in t.body]
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            for alias in node.names:
                if alias.name == attribute:
                    return alias.asname or alias.name
    return None
