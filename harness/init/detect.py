"""What ``python -m harness init`` can learn from an app's source without importing it.

Everything here reads files (``ast`` and regular expressions); what only the app itself
can answer (its routes, its OpenAPI document) is asked of the app's own interpreter by
``harness.init.app_probe``.
"""

from __future__ import annotations

import ast
import re
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
_APP_CALLS = {"FastAPI", "Flask", "Starlette", "create_app", "get_application", "make_app"}
_FACTORIES = {"create_app", "make_app"}


NO_VENV = "no .venv beside the app"


@dataclass
class Findings:
    app_dir: Path
    alembic_ini: Path | None = None
    python: Path | None = None
    asgi: str | None = None
    database_env: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # required settings: placeholders
    models: str | None = None
    models_import: list[str] = field(default_factory=list)
    models_schema: str | None = None  # where unqualified tables live (per-tenant: "*")
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


def find_venv_python(*folders: Path) -> Path | None:
    for folder in folders:
        for name in (".venv", "venv"):
            candidate = folder / name / "bin" / "python"
            if candidate.exists():
                return candidate
    return None


def module_name(path: Path, app_dir: Path) -> str:
    parts = list(path.relative_to(app_dir).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def find_asgi(app_dir: Path) -> str | None:
    """``module:attribute`` of a module-level ``app = FastAPI(...)`` / ``create_app()``;
    a ``create_app`` factory with no module-level app is named itself (Flask style)."""
    best: list[tuple[int, str]] = []
    for path in python_files(app_dir):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        module = module_name(path, app_dir)
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                name = _call_name(node.value)
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if name in _APP_CALLS and targets:
                    score = 0 if targets[0] == "app" else 1
                    best.append(
                        (score + (0 if module.endswith("main") else 1), f"{module}:{targets[0]}")
                    )
            elif isinstance(node, ast.FunctionDef) and node.name in _FACTORIES:
                best.append((5, f"{module}:{node.name}"))
                if any(
                    isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body
                ):
                    best.append((2, f"{module}:app"))  # built lazily by the module's __getattr__
    return min(best)[1] if best else None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def env_py_of(ini: Path) -> Path | None:
    match = re.search(
        r"^\s*script_location\s*=\s*(\S+)", ini.read_text(encoding="utf-8"), re.MULTILINE
    )
    location = match.group(1).replace("%(here)s", str(ini.parent)) if match else "alembic"
    env_py = ini.parent / location / "env.py"
    return env_py if env_py.is_file() else None


def find_migrate(app_dir: Path) -> list[list[str]]:
    """The deploy's prestart script when there is one (its ``python -m`` and alembic lines,
    in order), else ``alembic upgrade head``."""
    default = [["{python}", "-m", "alembic", "upgrade", "head"]]
    for script in sorted(app_dir.glob("scripts/prestart*.sh")) + sorted(
        app_dir.glob("prestart*.sh")
    ):
        commands = []
        for line in script.read_text(encoding="utf-8").splitlines():
            match = (
                re.search(r"-m\s+([\w.]+)(.*)$", line)
                if not line.lstrip().startswith("#")
                else None
            )
            if match and match.group(1) != "alembic":
                if match.group(1).endswith("pre_start"):
                    continue  # waits for the database: the harness has already done that
                commands.append(["{python}", "-m", match.group(1)])
            elif match or re.search(r"\balembic\s+upgrade\b", line):
                commands.append(list(default[0]))
        if commands:
            return commands
    return default


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
    app_dir = ini.parent if ini else root
    found = Findings(app_dir=app_dir, alembic_ini=ini)
    found.python = find_venv_python(app_dir, root)
    found.asgi = find_asgi(app_dir)
    found.migrate = find_migrate(app_dir)
    env_py = env_py_of(ini) if ini else None
    found.extensions = find_extensions(ini, env_py)
    from harness.init.reading import read_app  # late: it reads files through this module

    read_app(found, env_py)  # database_env, env, hard-coded URLs, models
    _note_gaps(found)
    return found


def _note_gaps(found: Findings) -> None:
    if found.alembic_ini is None:
        found.todo.append("no alembic.ini found: set alembic_ini (the database checks need it)")
    if found.python is None:
        found.todo.append(f"{NO_VENV}: [app] python is the harness's interpreter; name the app's")
    if found.asgi is None:
        found.todo.append(
            'no `app = FastAPI(...)`/`Flask(...)` found: set [app] asgi = "module:app"'
        )
    if not found.database_env:
        found.todo.append(
            "could not tell which variables the app reads its database from: set [app] database_env"
        )
    if found.models is None:
        found.todo.append(
            'alembic env.py names no X.metadata: set [database] models = "module:Base.metadata"'
        )
