"""The dotenv files an app reads its settings from, and the variables they provide.

pydantic-settings reads ``env_file`` (``model_config = SettingsConfigDict(env_file=...)`` or
pydantic 1's ``class Config: env_file = ...``; a path or a tuple of paths, relative to the
folder the app runs in); python-dotenv's ``load_dotenv()`` reads the nearest ``.env`` above
the calling module (or the path it is given). A required setting such a file provides
needs no placeholder from init: a placeholder in ``[app] env`` would override the app's own
value, since the process environment wins over a dotenv file in both libraries.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from harness.init.astnames import call_name
from harness.init.envreads import app_modules


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a .env file, keys upper-cased (as pydantic-settings matches
    them when not case-sensitive)."""
    if not path.is_file():
        return {}
    pairs = re.findall(
        r"^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(.*?)\s*$",
        path.read_text(errors="replace"),
        re.MULTILINE,
    )
    return {key.upper(): value.strip("'\"") for key, value in pairs}


def settings_dotenv(app_dir: Path) -> dict[str, str]:
    """Every variable the app's dotenv files provide (the first file naming one wins)."""
    provided: dict[str, str] = {}
    for path in dotenv_paths(app_dir):
        provided = read_dotenv(path) | provided
    return provided


def dotenv_paths(app_dir: Path) -> list[Path]:
    """The dotenv files the app's code names, resolved from ``app_dir`` (where it runs)."""
    found: list[Path] = []
    for path, tree in app_modules(app_dir):
        for node in ast.walk(tree):
            for name in _env_file_names(node):
                found.append((app_dir / name).resolve())
            if isinstance(node, ast.Call) and call_name(node) == "load_dotenv":
                found += _load_dotenv_path(node, path, app_dir)
    return list(dict.fromkeys(p for p in found if p.is_file()))


def _env_file_names(node: ast.AST) -> list[str]:
    """``env_file=...`` in a call (SettingsConfigDict), ``"env_file": ...`` in a dict, or
    ``env_file = ...`` in a class body (pydantic 1's Config)."""
    if isinstance(node, ast.Call):
        return [n for k in node.keywords if k.arg == "env_file" for n in _paths(k.value)]
    if isinstance(node, ast.Dict):
        return [
            n for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and k.value == "env_file" for n in _paths(v)
        ]  # fmt: skip
    if isinstance(node, ast.ClassDef) and node.name == "Config":
        return [
            n for s in node.body if isinstance(s, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "env_file" for t in s.targets)
            for n in _paths(s.value)
        ]  # fmt: skip
    return []


def _paths(value: ast.expr) -> list[str]:
    """Literal paths: ``".env"``, ``("../.env", ".env")``, ``Path(".env")``."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, (ast.Tuple, ast.List)):
        return [n for element in value.elts for n in _paths(element)]
    if isinstance(value, ast.Call) and call_name(value) in ("Path", "PurePath") and value.args:
        return _paths(value.args[0]) if len(value.args) == 1 else []
    return []


def _load_dotenv_path(call: ast.Call, module: Path, app_dir: Path) -> list[Path]:
    """``load_dotenv("x")``: x from where the app runs; ``load_dotenv()``: the nearest .env
    from the calling module's folder upwards (python-dotenv's search)."""
    given = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == "dotenv_path"), None
    )
    if given is not None:
        return [app_dir / name for name in _paths(given)]
    for folder in [module.parent, *module.parent.parents]:
        if (folder / ".env").is_file():
            return [folder / ".env"]
    return []
