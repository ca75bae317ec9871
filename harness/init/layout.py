"""The app's folder: where the team runs the app, not where alembic.ini happens to sit.

Python puts the folder it runs from first on ``sys.path``: run from inside a package whose
modules are called ``types.py`` or ``logging.py``, ``import logging`` finds the app's own and
the process dies half-way through the standard library. So the folder is the one above the
app's outermost package (its import root), found from the web module; without one, from
alembic.ini's folder, stepping out of any package (or namespace package) it sits in.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from harness.init.framework import AppObject, dotted, import_root

# Standard-library names an app module is known to reuse (and break Python with).
_STDLIB = frozenset(sys.stdlib_module_names) - {"test", "this", "antigravity", "__future__"}


def stdlib_shadows(folder: Path) -> list[str]:
    """Top-level modules or packages in ``folder`` named like a standard-library module."""
    names = {p.stem for p in folder.glob("*.py")}
    names |= {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    return sorted(n for n in names if n in _STDLIB)


def imports_itself(folder: Path) -> bool:
    """Modules in ``folder`` import ``<folder name>.…``: it is a (namespace) package, run
    from its parent."""
    prefix = folder.name + "."
    for path in folder.glob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            names = (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else [a.name for a in node.names] if isinstance(node, ast.Import) else []
            )  # fmt: skip
            if any(n == folder.name or n.startswith(prefix) for n in names):
                return True
    return False


def run_folder(folder: Path, repo: Path) -> Path:
    """``folder``, or the first ancestor that is not a package (an ``__init__.py``, or modules
    importing the folder by its name): a package's own modules (types.py …) must never be
    first on ``sys.path``."""
    while folder != repo and folder.is_relative_to(repo):
        if not ((folder / "__init__.py").is_file() or imports_itself(folder)):
            break
        folder = folder.parent
    return folder


def app_folder(
    chosen: AppObject | None, ini: Path | None, repo: Path
) -> tuple[Path, AppObject | None]:
    """The folder to run the app (and alembic) from, with the app object's module named
    relative to it."""
    if chosen is not None:
        folder = run_folder(chosen.import_root, repo)
        if folder != chosen.import_root:
            chosen = _rerooted(chosen, folder)
        return folder, chosen
    if ini is not None:
        return run_folder(import_root(ini), repo), None
    return repo, None


def _rerooted(chosen: AppObject, folder: Path) -> AppObject:
    return AppObject(
        chosen.framework, dotted(chosen.path, folder), chosen.attribute, chosen.factory,
        folder, chosen.path, chosen.score,
    )  # fmt: skip


def shadow_todo(folder: Path) -> str | None:
    """A TODO when the chosen folder still shadows the standard library."""
    shadows = stdlib_shadows(folder)
    if not shadows:
        return None
    return (
        f"the app's folder {folder} holds {', '.join(n + '.py' for n in shadows)}, named like "
        "standard-library modules: if the app cannot start from there, set [app] dir to the "
        "folder the team runs it from"
    )
