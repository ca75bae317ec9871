"""The app's interpreter: where real repositories keep their virtualenv.

In order: a venv beside the app's folder or alembic.ini; in any folder up to the repository
root (a uv workspace keeps one ``.venv`` at the workspace root, above ``backend/``); the
venv named by ``VIRTUAL_ENV`` (unless it is the harness's own); Poetry's (``poetry env info
-p`` when poetry is installed, else its cache folder ``<name>-<hash>-py<X.Y>``, or
``virtualenvs.path`` / ``in-project`` from ``poetry.toml``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

_VENV_NAMES = (".venv", "venv", "env", ".env")


@dataclass(frozen=True)
class Interpreter:
    python: Path
    source: str  # how it was found, for the init summary


def venv_python(folder: Path) -> Path | None:
    """``folder``'s venv interpreter (``folder`` itself may be the venv)."""
    for venv in (folder, *(folder / name for name in _VENV_NAMES)):
        candidate = venv / "bin" / "python"
        if (venv / "pyvenv.cfg").is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_interpreter(app_dir: Path, ini_dir: Path | None, repo: Path) -> Interpreter | None:
    for folder in _upward(app_dir, ini_dir, repo):
        found = venv_python(folder)
        if found:
            where = "the uv workspace root" if _is_uv_workspace(folder) else str(folder)
            return Interpreter(found, f"a venv in {where}")
    active = _active_venv()
    if active:
        return Interpreter(active, "VIRTUAL_ENV")
    poetry = poetry_python(_poetry_project(app_dir, repo))
    return Interpreter(poetry, "Poetry's venv") if poetry else None


def _upward(app_dir: Path, ini_dir: Path | None, repo: Path) -> list[Path]:
    """The app's folder, alembic.ini's, then each parent up to the repository root, or up to
    a uv workspace root above it (a repository checked out inside a bigger one)."""
    folders = [app_dir] + ([ini_dir] if ini_dir else [])
    top = _workspace_root(app_dir) or repo
    folder = app_dir
    while folder != folder.parent and folder.is_relative_to(top):
        folders.append(folder)
        folder = folder.parent
    return list(dict.fromkeys(folders))


def _pyproject(folder: Path) -> dict[str, object]:
    try:
        return tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _is_uv_workspace(folder: Path) -> bool:
    tool = _pyproject(folder).get("tool", {})
    return isinstance(tool, dict) and "workspace" in (tool.get("uv") or {})


def _workspace_root(folder: Path) -> Path | None:
    """The nearest ancestor whose pyproject.toml declares ``[tool.uv.workspace]``."""
    for parent in (folder, *folder.parents):
        if _is_uv_workspace(parent):
            return parent
    return None


def _active_venv() -> Path | None:
    """``VIRTUAL_ENV``'s interpreter, unless that venv is the one running the harness."""
    value = os.environ.get("VIRTUAL_ENV")
    if not value or Path(value).resolve() == Path(sys.prefix).resolve():
        return None
    return venv_python(Path(value))


def _poetry_project(app_dir: Path, repo: Path) -> Path | None:
    for folder in (app_dir, *app_dir.parents):
        tool = _pyproject(folder).get("tool", {})
        if (isinstance(tool, dict) and "poetry" in tool) or (folder / "poetry.lock").is_file():
            return folder
        if folder == repo or not folder.is_relative_to(repo):
            break
    return None


def poetry_python(project: Path | None, poetry: str | None = None) -> Path | None:
    """Poetry's venv for ``project``: asked of poetry itself when it is installed, else
    looked up where Poetry puts it (the same name and hash Poetry computes)."""
    if project is None:
        return None
    poetry = poetry or shutil.which("poetry")
    if poetry:
        asked = _ask_poetry(poetry, project)
        if asked:
            return asked
    settings = _poetry_settings(project)
    if settings.get("in-project") is True:
        return venv_python(project)
    base = Path(str(settings.get("path") or _poetry_venvs_dir())).expanduser()
    for name in poetry_env_names(project):
        for venv in sorted(base.glob(f"{name}-py*"), reverse=True):  # newest Python first
            found = venv_python(venv)
            if found:
                return found
    return None


def _ask_poetry(poetry: str, project: Path) -> Path | None:
    try:
        done = subprocess.run(
            [poetry, "env", "info", "-p"], cwd=project, capture_output=True, text=True,
            timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
    return venv_python(Path(path[0])) if path else None


def _poetry_settings(project: Path) -> dict[str, object]:
    """``[virtualenvs]`` of the project's poetry.toml, then the POETRY_VIRTUALENVS_* variables."""
    try:
        table = tomllib.loads((project / "poetry.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        table = {}
    settings = dict(table.get("virtualenvs", {}))
    if os.environ.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
        settings["in-project"] = True
    if os.environ.get("POETRY_VIRTUALENVS_PATH"):
        settings["path"] = os.environ["POETRY_VIRTUALENVS_PATH"]
    return settings


def _poetry_venvs_dir() -> Path:
    cache = os.environ.get("POETRY_CACHE_DIR")
    if cache:
        return Path(cache) / "virtualenvs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pypoetry" / "virtualenvs"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "pypoetry" / "virtualenvs"


def poetry_env_names(project: Path) -> list[str]:
    """``<name>-<hash>`` as Poetry names a project's venv: the project's name (as written and
    normalised), made path-safe and cut at 42 characters, and the first 8 characters of the
    urlsafe base64 SHA-256 of the project folder's real path."""
    data = _pyproject(project)
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    project_table = data.get("project")
    named = project_table.get("name") if isinstance(project_table, dict) else None
    raw = str(named or (poetry or {}).get("name") or project.name)
    digest = hashlib.sha256(os.path.normcase(os.path.realpath(project)).encode()).digest()
    suffix = base64.urlsafe_b64encode(digest).decode()[:8]
    names = []
    for name in (re.sub(r"[-_.]+", "-", raw).lower(), raw.lower()):
        safe = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name)[:42]
        names.append(f"{safe}-{suffix}")
    return list(dict.fromkeys(names))
