"""What a Flask + Flask-SQLAlchemy + Flask-Migrate app needs in its profile.

Flask-Migrate's env.py names no metadata (it takes ``current_app.extensions['migrate'].db``),
so the models come from the source: the ``db = SQLAlchemy()`` object and the modules whose
classes derive from ``db.Model`` (imported first: they are what puts the tables on it). The
installed Flask and server versions are asked of the app's interpreter: Flask before 2.2 has
no ``flask --app`` (``FLASK_APP`` instead), and gunicorn serves a WSGI app.
"""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

from harness.init.framework import dotted

_VERSIONS = (
    "import importlib.metadata as m, json, sys\n"
    "out = {}\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        out[name] = m.version(name)\n"
    "    except m.PackageNotFoundError:\n"
    "        out[name] = None\n"
    "print(json.dumps(out))\n"
)


def flask_models(files: list[Path], app_dir: Path) -> tuple[str | None, list[str]]:
    """``module:db.metadata`` and the other modules defining ``db.Model`` classes."""
    db_module, db_name, model_modules = None, "db", []
    for path in files:
        if not path.is_relative_to(app_dir):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        module = dotted(path, app_dir)
        for node in tree.body:
            if isinstance(node, ast.Assign) and _calls(node.value, "SQLAlchemy"):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if names and db_module is None:
                    db_module, db_name = module, names[0]
        if any(
            isinstance(n, ast.ClassDef) and any(_is_model_base(b) for b in n.bases)
            for n in tree.body
        ):
            model_modules.append(module)
    if db_module is None:
        return None, []
    if not model_modules:
        return f"{db_module}:{db_name}.metadata", []
    return f"{model_modules[0]}:{db_name}.metadata", model_modules[1:]


def _calls(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _is_model_base(base: ast.expr) -> bool:
    return (
        isinstance(base, ast.Attribute)
        and base.attr == "Model"
        and isinstance(base.value, ast.Name)
    )


def installed_versions(python: Path | None, names: list[str]) -> dict[str, str | None]:
    """Distribution versions in the app's interpreter (None: not installed); {} when it
    cannot be asked."""
    if python is None:
        return {}
    try:
        done = subprocess.run(
            [str(python), "-c", _VERSIONS, *names], capture_output=True, text=True,
            timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return {}


def has_app_option(version: str | None) -> bool:
    """``flask --app`` exists from Flask 2.2 on (unknown: assume a current Flask)."""
    if not version:
        return True
    try:
        major, minor = (int(p) for p in version.split(".")[:2])
    except ValueError:
        return True
    return (major, minor) >= (2, 2)
