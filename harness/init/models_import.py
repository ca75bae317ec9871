"""The models' metadata as Alembic's env.py reaches it, in every form env.py imports it.

``target_metadata = Base.metadata`` with ``from pkg.models import Base``; ``import
pkg.models._all`` (a module importing every model); ``from pkg.models import user, item``
(submodules); ``from pkg import models`` then ``models.Base.metadata``; ``from pkg.models
import *``; ``SQLModel.metadata`` with the model modules imported beside it; a Flask-Migrate
env.py (``current_app.extensions['migrate'].db``: the app's ``db = SQLAlchemy()``). Every
app module env.py imports is imported again before the metadata is read, as alembic does.
"""

from __future__ import annotations

import ast
from pathlib import Path

from harness.init.astnames import call_name
from harness.init.envreads import app_modules

Binding = tuple[str, str]  # (module, attribute path inside it; "" for the module itself)


class _Imports:
    """What env.py's imports bind, and which app modules they load."""

    def __init__(self, app_dir: Path) -> None:
        self.app_dir = app_dir
        self.bindings: dict[str, Binding] = {}
        self.modules: list[str] = []

    def is_module(self, dotted: str) -> bool:
        rel = Path(*dotted.split("."))
        return any(
            (base / rel).with_suffix(".py").is_file() or (base / rel / "__init__.py").is_file()
            for base in (self.app_dir, self.app_dir / "src")
        )

    def _load(self, module: str) -> None:
        if self.is_module(module) and module not in self.modules:
            self.modules.append(module)

    def read(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                self.bindings[alias.asname or top] = (alias.name if alias.asname else top, "")
                self._load(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if alias.name != "*" and self.is_module(sub):
                    self.bindings[alias.asname or alias.name] = (sub, "")
                    self._load(sub)
                    continue
                if alias.name != "*":
                    self.bindings[alias.asname or alias.name] = (node.module, alias.name)
                self._load(node.module)

    def resolve(self, expr: ast.expr) -> str | None:
        """``module:Attr.metadata`` for a ``...metadata`` expression over an imported name."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.insert(0, expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name) or expr.id not in self.bindings:
            return None
        module, attribute = self.bindings[expr.id]
        rest = ([attribute] if attribute else []) + parts
        while not attribute and len(rest) > 1 and self.is_module(f"{module}.{rest[0]}"):
            module, rest = f"{module}.{rest[0]}", rest[1:]  # pkg.models.Base.metadata
        return f"{module}:{'.'.join(rest)}" if rest and rest[-1] == "metadata" else None


def metadata_from_env(env_py: Path, app_dir: Path) -> tuple[str | None, list[str]]:
    """(``module:X.metadata``, the app modules to import first) from env.py; the metadata is
    None when env.py names none the harness can reach."""
    tree = ast.parse(env_py.read_text(encoding="utf-8"))
    imports = _Imports(app_dir)
    for node in ast.walk(tree):
        imports.read(node)
    models = None
    for expr in _metadata_expressions(tree):
        models = imports.resolve(expr)
        if models:
            break
    if models is None and not _names_metadata(tree):
        models = flask_sqlalchemy_metadata(app_dir)  # Flask-Migrate's env.py: the app's db
    module = models.split(":")[0] if models else None
    return models, [m for m in imports.modules if m != module]


NO_MODELS = "alembic env.py sets target_metadata = None: the app has no ORM models to compare"


def declares_no_metadata(env_py: Path) -> bool:
    """env.py says ``target_metadata = None`` and never assigns it anything else (an app
    without ORM models: raw SQL, ``databases``, aiosql), and names no ``.metadata``."""
    tree = ast.parse(env_py.read_text(encoding="utf-8"))
    values = [
        node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets)
    ]  # fmt: skip
    none = [v for v in values if isinstance(v, ast.Constant) and v.value is None]
    return bool(none) and len(none) == len(values) and not _names_metadata(tree)


def _metadata_expressions(tree: ast.Module) -> list[ast.expr]:
    """``target_metadata = X`` (first of a list) first, then any ``X.metadata`` in env.py."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets
        ):
            value = node.value
            found.append(
                value.elts[0] if isinstance(value, (ast.List, ast.Tuple)) and value.elts else value
            )
    found += [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "metadata"]
    return found


def _names_metadata(tree: ast.Module) -> bool:
    """env.py names some metadata of its own (not Flask-Migrate's ``target_db``)."""
    text = ast.unparse(tree)
    return "target_db" not in text and "current_app" not in text and ".metadata" in text


def flask_sqlalchemy_metadata(app_dir: Path) -> str | None:
    """``module:db.metadata`` of the app's module-level ``db = SQLAlchemy(...)``."""
    for path, tree in app_modules(app_dir):
        for node in tree.body:
            if (
                isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and call_name(node.value) == "SQLAlchemy"
                and isinstance(node.targets[0], ast.Name)
            ):  # fmt: skip
                return f"{_module(path, app_dir)}:{node.targets[0].id}.metadata"
    return None


def model_modules(app_dir: Path) -> list[str]:
    """Modules defining mapped classes (``__tablename__``, ``table=True``, ``db.Model``)."""
    found = []
    for path, tree in app_modules(app_dir):
        if any(isinstance(node, ast.ClassDef) and _is_model(node) for node in ast.walk(tree)):
            found.append(_module(path, app_dir))
    return found


def _is_model(node: ast.ClassDef) -> bool:
    if any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in node.keywords
    ):
        return True
    if any(isinstance(b, ast.Attribute) and b.attr == "Model" for b in node.bases):
        return True
    return any(
        isinstance(s, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "__tablename__"
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
        for s in node.body
    )


def definers(app_dir: Path, name: str) -> list[str]:
    """Modules that define ``name`` at their top level (``db = SQLAlchemy(app)``, ``class
    Base``): where a metadata that fails to load from a model module may load instead, when
    the model module imports the app first (``models`` → ``app`` → ``models``). Those that
    import a model module themselves come first: importing them loads the tables too."""
    models = set(model_modules(app_dir))
    found: list[tuple[bool, str]] = []
    for path, tree in app_modules(app_dir):
        defined = any(
            (isinstance(node, ast.ClassDef) and node.name == name)
            or (isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
                isinstance(t, ast.Name) and t.id == name
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            ))
            for node in tree.body
        )  # fmt: skip
        if defined:
            imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            found.append((not imported & models, _module(path, app_dir)))
    return [module for _, module in sorted(found)]


def tenant_schema(app_dir: Path, env_py: Path | None) -> str | None:
    """Where tables of models without a schema live when the app maps them per tenant
    (``schema_translate_map={None: ...}``): the schema when it is a literal, else "*"."""
    trees = [tree for _, tree in app_modules(app_dir)]
    if env_py is not None and env_py.is_file():
        trees.append(ast.parse(env_py.read_text(encoding="utf-8")))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "schema_translate_map":
                return _none_key_target(node.value)
            if isinstance(node, ast.Constant) and node.value == "schema_translate_map":
                return "*"  # execution_options(**{"schema_translate_map": ...})
    return None


def _none_key_target(value: ast.expr) -> str | None:
    if isinstance(value, ast.Dict):
        for key, target in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and key.value is None:
                if isinstance(target, ast.Constant) and isinstance(target.value, str):
                    return target.value
                return "*"
        return None  # only named schemas are translated: unqualified tables stay in public
    return "*"


def _module(path: Path, app_dir: Path) -> str:
    rel = path.relative_to(app_dir)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[0] == "src" and not (app_dir / "src" / "__init__.py").is_file():
        parts = parts[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


