"""Which environment variables an app's code reads, read from its source (``ast``).

Two shapes: fields of pydantic-settings classes (``BaseSettings`` and its subclasses, with
``env_prefix``, ``alias``/``validation_alias``/``env`` and inherited prefixes) and direct
reads (``os.getenv``, ``os.environ.get``/``[...]``, ``config("X")`` of python-decouple and
Starlette, ``env.str("X")`` of environs). Each read says whether the app can start without
the variable (a default) and, for a settings field, its annotation and whether it is computed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.init.astnames import call_name
from harness.init.source import python_files

# Folders whose modules the served app does not import: their reads are not the app's.
_NOT_APP = {"tests", "test", "testing", "scripts", "docs", "examples", "migrations", "alembic"}
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
# Functions that run when the app or its settings are built (their reads are needed to start).
_STARTUP = re.compile(
    r"app|settings|config|init|lifespan|startup|engine|database|db", re.IGNORECASE
)
_ENV_CALLS = {"getenv", "get", "config", "env", "str", "int", "bool", "float", "list", "url"}


@dataclass(frozen=True)
class EnvRead:
    name: str  # the environment variable, as the app spells it
    default: Any  # its literal default; MISSING: none (required); ... : not a literal
    where: str  # "app/core/config.py:12"
    annotation: str = ""  # a settings field's annotation ("bool", "Literal['a', 'b']")
    field: str = ""  # a settings field's attribute name ("" for a direct read)

    @property
    def required(self) -> bool:
        return self.default is MISSING


def app_modules(app_dir: Path) -> Iterator[tuple[Path, ast.Module]]:
    """The app's own parsed modules (not its tests, scripts or migrations)."""
    for path in python_files(app_dir):
        rel = path.relative_to(app_dir)
        if (
            set(rel.parts[:-1]) & _NOT_APP
            or rel.name.startswith("test_")
            or rel.name == "conftest.py"
        ):
            continue
        try:
            yield path, ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue


def env_reads(app_dir: Path) -> list[EnvRead]:
    modules = list(app_modules(app_dir))
    classes = _settings_classes(modules)
    found: list[EnvRead] = []
    for path, tree in modules:
        where = str(path.relative_to(app_dir))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes and "Test" not in node.name:
                found += _fields(node, _prefix(node.name, classes), where)
        found += _direct_reads(tree, where)
    return found


def _direct_reads(tree: ast.Module, where: str) -> list[EnvRead]:
    """Direct reads; one with no default inside a function that does not build the app or
    its settings (a CLI command, a helper) does not stop the app from starting."""
    found = []

    def visit(node: ast.AST, at_start: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            at_start = at_start and bool(_STARTUP.search(node.name))
        read = _direct_read(node, where)
        if read is not None:
            found.append(read if at_start or not read.required else replace(read, default=...))
        for child in ast.iter_child_nodes(node):
            visit(child, at_start)

    visit(tree, True)
    return found


def _base_names(node: ast.ClassDef) -> list[str]:
    return [
        b.id if isinstance(b, ast.Name) else b.attr
        for b in node.bases
        if isinstance(b, (ast.Name, ast.Attribute))
    ]


def _settings_classes(modules: list[tuple[Path, ast.Module]]) -> dict[str, ast.ClassDef]:
    """Every class deriving, here or through the app's own classes, from BaseSettings."""
    every = {n.name: n for _, t in modules for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    found: dict[str, ast.ClassDef] = {}
    grew = True
    while grew:
        grew = False
        for name, node in every.items():
            if name not in found and any(
                b == "BaseSettings" or b in found for b in _base_names(node)
            ):
                found[name] = node
                grew = True
    return found


def _prefix(name: str, classes: dict[str, ast.ClassDef]) -> str:
    """``env_prefix`` of the class or the nearest settings class it derives from."""
    node = classes[name]
    own = _config_value(node, "env_prefix")
    if own is not None:
        return str(own)
    for base in _base_names(node):
        if base in classes and base != name:
            return _prefix(base, classes)
    return ""


def _config_value(node: ast.ClassDef, key: str) -> Any:
    """A literal from ``model_config = SettingsConfigDict(key=...)``/``{...}`` or ``class Config``."""
    for stmt in node.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == key for t in inner.targets
                ):
                    return _literal(inner.value, None)
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if not any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
            continue
        if isinstance(value, ast.Call):
            return next((_literal(k.value, None) for k in value.keywords if k.arg == key), None)
        if isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == key:
                    return _literal(v, None)
    return None


def _literal(node: ast.AST | None, otherwise: Any) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else otherwise
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return otherwise


def _fields(node: ast.ClassDef, prefix: str, where: str) -> list[EnvRead]:
    """Annotated fields (not ClassVar, not model_config, not private); a method, property or
    computed field is computed by the app, never read from the environment."""
    found = []
    pydantic1 = any(isinstance(s, ast.ClassDef) and s.name == "Config" for s in node.body)
    exact = _config_value(node, "case_sensitive") is True  # else any case: written upper
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        field, annotation = stmt.target.id, ast.unparse(stmt.annotation)
        if field == "model_config" or field.startswith("_") or "ClassVar" in annotation:
            continue
        default, alias = _field_default(stmt.value)
        if default is MISSING and pydantic1 and ("Optional" in annotation or "None" in annotation):
            default = None  # pydantic 1: an Optional field without a default is None
        name = alias or (prefix + field if exact else (prefix + field).upper())
        found.append(EnvRead(name, default, f"{where}:{stmt.lineno}", annotation, field))
    return found


def _field_default(value: ast.expr | None) -> tuple[Any, str | None]:
    """(the default, an alias naming the variable) of ``= x`` or ``= Field(...)``."""
    if value is None:
        return MISSING, None
    if not (isinstance(value, ast.Call) and call_name(value) == "Field"):
        return _literal(value, ...), None
    keywords = {k.arg: k.value for k in value.keywords if k.arg}
    alias = None
    for key in ("validation_alias", "alias", "env"):
        if key in keywords:
            alias = _alias_name(keywords[key])
            break
    if "default_factory" in keywords:
        return ..., alias
    default = keywords.get("default", value.args[0] if value.args else None)
    if default is None or (isinstance(default, ast.Constant) and default.value is Ellipsis):
        return MISSING, alias
    return _literal(default, ...), alias


def _alias_name(node: ast.expr) -> str | None:
    """ "X", ``AliasChoices("X", "Y")`` (the first) or ``["X", "Y"]`` (pydantic 1's env)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    items = node.args if isinstance(node, ast.Call) else getattr(node, "elts", [])
    first = next(
        (i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)), None
    )
    return first




def _is_environ(node: ast.expr) -> bool:
    """``os.environ``, ``environ``, or a local alias of it (``env = os.environ if ...``)."""
    return (isinstance(node, ast.Name) and node.id in ("environ", "env", "environment")) or (
        isinstance(node, ast.Attribute) and node.attr == "environ"
    )


def _direct_read(node: ast.AST, where: str) -> EnvRead | None:
    """``os.environ["X"]`` (required), ``os.getenv("X"[, d])``, ``os.environ.get``,
    ``config("X"[, default=d])``, ``env.str("X"[, d])``."""
    if (
        isinstance(node, ast.Subscript)
        and _is_environ(node.value)
        and isinstance(node.ctx, ast.Load)
    ):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return EnvRead(key.value, MISSING, f"{where}:{node.lineno}")
        return None
    if not isinstance(node, ast.Call) or not node.args or call_name(node) not in _ENV_CALLS:
        return None
    first = node.args[0]
    if not (
        isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.isupper()
    ):
        return None
    name, func = call_name(node), node.func
    receiver = func.value if isinstance(func, ast.Attribute) else None
    if name == "get" and not (receiver is not None and _is_environ(receiver)):
        return None
    if name in ("str", "int", "bool", "float", "list", "url") and not (
        isinstance(receiver, ast.Name) and receiver.id == "env"
    ):
        return None
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    default_node = node.args[1] if len(node.args) > 1 else keywords.get("default")
    if default_node is None:
        # getenv/environ.get answer None: the app starts (and may fail later, on use).
        default = None if name in ("getenv", "get") else MISSING
    else:
        default = _literal(default_node, ...)
    return EnvRead(first.value, default, f"{where}:{node.lineno}")
