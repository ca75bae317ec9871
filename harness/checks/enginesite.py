"""Where the app sets up its connection pool, read from its source (never imported): the
``create_engine(...)`` / ``create_async_engine(...)`` calls of SQLAlchemy or SQLModel and
Flask-SQLAlchemy's ``SQLALCHEMY_ENGINE_OPTIONS``, with what each says about
``pool_pre_ping``. db-reconnect's remedy names the line, so a person edits the right call.

Migration environments (``alembic/``, ``migrations/``) and calls with ``poolclass=NullPool``
are left out: they hold no pool between requests.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENGINE_CALLS = frozenset({"create_engine", "create_async_engine"})
OPTIONS_KEY = "SQLALCHEMY_ENGINE_OPTIONS"
_LIBRARIES = ("sqlalchemy", "sqlmodel")
_SKIP_DIRS = frozenset({
    ".git", ".venv", "venv", "env", ".tox", "node_modules", "site-packages", "__pycache__",
    "alembic", "migrations", "tests", "test",
})  # fmt: skip
MAX_FILES = 2000  # a monorepo's folder: stop looking rather than read it all
MAX_BYTES = 400_000


@dataclass(frozen=True)
class EngineSite:
    path: str  # relative to the app's folder
    line: int
    setting: str  # "create_async_engine(...)" or "SQLALCHEMY_ENGINE_OPTIONS"
    pre_ping: str | None  # None: not given; else its source text ("True", "pre_ping")

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def pings(self) -> bool:
        return self.pre_ping == "True"


def engine_sites(app_dir: Path) -> list[EngineSite]:
    """Every pool setup in the app's own Python files, in path order."""
    sites: list[EngineSite] = []
    for path in _python_files(app_dir):
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError):
            continue  # not ours to judge; the app's own tests will say
        relative = path.relative_to(app_dir).as_posix()
        sites += [EngineSite(relative, *found) for found in _sites_in(tree)]
    return sites


def _python_files(app_dir: Path) -> Iterator[Path]:
    """The app's own files: virtualenvs, migrations and tests are pruned, not walked."""
    count = 0
    for folder, dirs, files in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(f for f in files if f.endswith(".py")):
            count += 1
            if count > MAX_FILES:
                return
            path = Path(folder) / name
            if path.is_file() and path.stat().st_size <= MAX_BYTES:
                yield path


def _sites_in(tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    names, modules = _imports(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_engine_call(node.func, names, modules):
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if "NullPool" in ast.unparse(keywords.get("poolclass", ast.Constant(None))):
                continue
            call = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            yield node.lineno, f"{call}(...)", _source(keywords.get("pool_pre_ping"))
        if isinstance(node, ast.Call):  # config.update(SQLALCHEMY_ENGINE_OPTIONS={...})
            for keyword in node.keywords:
                if keyword.arg == OPTIONS_KEY:
                    yield keyword.value.lineno, OPTIONS_KEY, _dict_pre_ping(keyword.value)
        options = _engine_options(node)
        if options is not None:
            yield options


def _imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to SQLAlchemy's/SQLModel's engine functions, and module aliases."""
    names: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_LIBRARIES):
            names |= {a.asname or a.name for a in node.names if a.name in ENGINE_CALLS}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.startswith(_LIBRARIES)}
    return names, modules


def _is_engine_call(func: ast.expr, names: set[str], modules: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ENGINE_CALLS
        and ast.unparse(func.value) in modules
    )


def _engine_options(node: ast.AST) -> tuple[int, str, str | None] | None:
    """``SQLALCHEMY_ENGINE_OPTIONS = {...}``, ``config["SQLALCHEMY_ENGINE_OPTIONS"] = {...}``
    or ``{"SQLALCHEMY_ENGINE_OPTIONS": {...}}``: its line and its ``pool_pre_ping``."""
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == OPTIONS_KEY:
                return key.lineno, OPTIONS_KEY, _dict_pre_ping(value)
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            name = target.slice if isinstance(target, ast.Subscript) else target
            named = isinstance(name, ast.Name) and name.id == OPTIONS_KEY
            if named or (isinstance(name, ast.Constant) and name.value == OPTIONS_KEY):
                return node.lineno, OPTIONS_KEY, _dict_pre_ping(node.value)
    return None


def _dict_pre_ping(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "pool_pre_ping":
                return ast.unparse(item)
    if isinstance(value, ast.Call) and ast.unparse(value.func) == "dict":
        return _source(next((k.value for k in value.keywords if k.arg == "pool_pre_ping"), None))
    return None


def _source(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)
