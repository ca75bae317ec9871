"""Which object is the web app, and which framework serves it (read from source, not run).

Real repositories hold more than one ``app``: a Celery or RQ worker's ``app = Celery(...)``,
a worker module that builds the Flask app only for its context, a ``manage.py``. The web app
is the one the team serves: named by ``FLASK_APP`` (``.flaskenv``), by a Procfile or
Dockerfile's gunicorn/uvicorn line, else the best-scored candidate (module and attribute
names that servers use, not a worker's). Each candidate carries its *import root*: the folder
Python must run from for its dotted module name to import, i.e. the app's folder.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.init.astnames import call_name

_CONSTRUCTORS = {
    "FastAPI": "fastapi",
    "Flask": "flask",
    "Starlette": "starlette",
    "APIFlask": "flask",
}
_FACTORY_CALLS = {"create_app", "get_application", "make_app", "get_app", "build_app"}
_FACTORIES = {"create_app", "make_app", "get_application", "build_app"}
_WEB_MODULES = {"main", "app", "wsgi", "asgi", "server", "application", "api", "web", "run"}
_WORKER = re.compile(
    r"(^|[._])(worker|workers|celery\w*|tasks|jobs|rq|scheduler|cron|consumer|beat)$"
)
_WORKER_IMPORTS = {"celery", "rq", "dramatiq", "huey", "arq", "apscheduler"}
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile")
_NOT_APP_DIRS = {"tests", "test", "docs", "migrations", "alembic", "versions"}
_SERVER_LINE = re.compile(
    r"\b(?:gunicorn|uvicorn|hypercorn|waitress-serve)\b[^\n]*?[\s\"']([A-Za-z_][\w.]*:[A-Za-z_]\w*(?:\(\))?)"
)


@dataclass(frozen=True)
class AppObject:
    """One candidate: ``module:attribute`` importable from ``import_root``."""

    framework: str  # fastapi | flask | starlette | "" (not told by its imports)
    module: str
    attribute: str
    factory: bool  # attribute is a function to call (create_app)
    import_root: Path
    path: Path
    score: int

    @property
    def spec(self) -> str:
        """What uvicorn (``module:attr``) or gunicorn / Flask (``module:create_app()``) take."""
        call = "()" if self.factory and self.framework == "flask" else ""
        return f"{self.module}:{self.attribute}{call}"


def import_root(path: Path) -> Path:
    """The folder above the outermost package holding ``path``: where Python must run from."""
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def dotted(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def candidates(files: Iterable[Path], repo: Path, project: Path | None = None) -> list[AppObject]:
    """Every module-level app object or factory in ``files``, scored (lower is likelier).
    ``project``: the folder of the project the migrations belong to; apps outside it (a
    second service, an example) come after its own."""
    parsed = {path: tree for path in files if (tree := _parse(path)) is not None}
    kinds = {path: _framework_of(tree) for path, tree in parsed.items()}
    repo_kinds = {k for k in kinds.values() if k}
    found: list[AppObject] = []
    for path, tree in parsed.items():
        if set(path.relative_to(repo).parts[:-1]) & _NOT_APP_DIRS:
            continue
        root = import_root(path)
        module = dotted(path, root)
        penalty = _module_penalty(module, tree, path.relative_to(repo))
        penalty += 3 if project is not None and not path.is_relative_to(project) else 0
        for attribute, factory, base in _objects(tree):
            kind = kinds[path] or _imported_kind(tree, parsed, kinds) or _single(repo_kinds)
            score = base + penalty + (0 if attribute in ("app", "application") else 1)
            found.append(AppObject(kind, module, attribute, factory, root, path, score))
    return sorted(found, key=lambda c: (c.score, len(c.path.parts), c.module))


def project_of(ini: Path | None, repo: Path) -> Path | None:
    """The nearest folder at or above alembic.ini that declares a Python project."""
    if ini is None:
        return None
    for folder in ini.parents:
        if any((folder / name).is_file() for name in _PROJECT_FILES) or folder == repo:
            return folder
        if not folder.is_relative_to(repo):
            break
    return None


def choose(found: list[AppObject], declared: list[str]) -> AppObject | None:
    """The declared entry point when a candidate matches it, else the best-scored one."""
    for spec in declared:
        module, _, attribute = spec.removesuffix("()").partition(":")
        module = module.removesuffix(".py").replace("/", ".")
        for candidate in found:
            if candidate.module == module and (not attribute or candidate.attribute == attribute):
                return candidate
    return found[0] if found else None


def declared_entry_points(repo: Path) -> list[str]:
    """``module:attr`` the repository itself names: FLASK_APP in .flaskenv/.env, then the
    server line of a Procfile, Dockerfile or docker-compose file."""
    specs: list[str] = []
    for name in (".flaskenv", ".env", ".env.example"):
        for folder in _near(repo):
            text = _read(folder / name)
            match = re.search(
                r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([\w./:()]+)", text, re.MULTILINE
            )
            if match:
                specs.append(match.group(1))
    for name in ("Procfile", "Dockerfile", "docker-compose.yml", "compose.yaml", "compose.yml"):
        for folder in _near(repo):
            specs += _SERVER_LINE.findall(_read(folder / name))
    return specs


def _near(repo: Path) -> Iterator[Path]:
    """The repository root and its first-level folders (backend/, app/ …)."""
    yield repo
    yield from (p for p in sorted(repo.iterdir()) if p.is_dir() and not p.name.startswith("."))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return ""


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return None


def _objects(tree: ast.Module) -> Iterator[tuple[str, bool, int]]:
    """(attribute, is a factory, base score) of each app-like module-level name."""
    lazy = any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body)
    has_object = False
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            call = call_name(node.value)
            if names and (call in _CONSTRUCTORS or call in _FACTORY_CALLS):
                has_object = True
                yield names[0], False, 0
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in _FACTORIES and not has_object:
            yield node.name, True, 5
            if lazy:
                yield "app", False, 2  # built lazily by the module's __getattr__




def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _framework_of(tree: ast.Module) -> str:
    tops = {name.split(".")[0] for name in _imports(tree)}
    for kind in ("fastapi", "flask", "starlette"):
        if kind in tops or (kind == "flask" and "apiflask" in tops):
            return kind
    return ""


def _imported_kind(tree: ast.Module, parsed: dict[Path, ast.Module], kinds: dict[Path, str]) -> str:
    """The framework of the module a factory is imported from (``from board import create_app``)."""
    sources = {
        node.module.split(".")[-1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        and any(a.name in _FACTORY_CALLS for a in node.names)
    }  # fmt: skip
    for path, kind in kinds.items():
        name = path.parent.name if path.name == "__init__.py" else path.stem
        if kind and name in sources:
            return kind
    return ""


def _single(kinds: set[str]) -> str:
    return next(iter(kinds)) if len(kinds) == 1 else ""


def _module_penalty(module: str, tree: ast.Module, relative: Path) -> int:
    """Workers, scripts and command-line helpers are not what a server serves."""
    penalty = 0
    if _WORKER.search(module) or {n.split(".")[0] for n in _imports(tree)} & _WORKER_IMPORTS:
        penalty += 10
    if relative.parts[0] in ("scripts", "bin", "tools") or module.split(".")[-1] in (
        "manage",
        "cli",
    ):
        penalty += 8
    if module.split(".")[-1] not in _WEB_MODULES and len(module.split(".")) > 1:
        penalty += 1
    return penalty
