"""Settings fields a validator composes into a database URL from other fields.

pydantic-settings apps often build ``SQLALCHEMY_DATABASE_URI`` from ``POSTGRES_*`` parts in a
validator (``@validator(..., pre=True)``, ``@field_validator``, ``@model_validator``) when the
field itself is unset, naming the driver in the scheme they write
(``f"postgresql+asyncpg://{user}:…"``, ``PostgresDsn.build(scheme="postgresql+psycopg", …)``).
init maps the parts; the field gets the same driver's URL form (``{url_asyncpg}``), never
the plain ``{url}``, which SQLAlchemy reads as a driver the app's venv may not have.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from harness.init.astnames import call_name
from harness.init.envreads import _config_value, _prefix, _settings_classes, app_modules

_SCHEME = re.compile(r"^(postgres(?:ql)?(?:\+\w+)?)://")
_VALIDATORS = {"validator", "field_validator", "root_validator", "model_validator"}
TEMPLATES = {"asyncpg": "{url_asyncpg}", "psycopg": "{url_psycopg}", "psycopg2": "{url_psycopg2}"}


def composed_urls(app_dir: Path) -> dict[str, str]:
    """Variable name → the scheme its validator composes (``postgresql+asyncpg``)."""
    classes = _settings_classes(list(app_modules(app_dir)))
    found: dict[str, str] = {}
    for name, node in classes.items():
        prefix = _prefix(name, classes)
        exact = _config_value(node, "case_sensitive") is True
        for method in node.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = [d for d in method.decorator_list if _decorator_name(d) in _VALIDATORS]
            scheme = _scheme_in(method) if decorators else None
            if scheme is None:
                continue
            for field in _fields_of(decorators, method):
                found[prefix + field if exact else (prefix + field).upper()] = scheme
    return found


def driver_template(scheme: str) -> str | None:
    """``{url_asyncpg}`` for ``postgresql+asyncpg``; None for a scheme without a driver."""
    driver = scheme.partition("+")[2]
    return TEMPLATES.get(driver)


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return call_name(node)
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def _scheme_in(method: ast.AST) -> str | None:
    """The PostgreSQL scheme the method writes: a string or an f-string's head, or a
    ``scheme=`` keyword (``PostgresDsn.build``, ``URL.create(drivername=...)``)."""
    for node in ast.walk(method):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.keyword) and node.arg in ("scheme", "drivername"):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value + "://"
        match = _SCHEME.match(text) if text else None
        if match:
            return match.group(1)
    return None


def _fields_of(decorators: list[ast.expr], method: ast.AST) -> list[str]:
    """The fields a validator names (``@validator("X")``), or, for a model validator, the
    ones it assigns (``self.X = …``, ``values["X"] = …``)."""
    named = [
        a.value for d in decorators if isinstance(d, ast.Call) for a in d.args
        if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value != "*"
    ]  # fmt: skip
    if named:
        return named
    assigned = []
    for node in ast.walk(method):
        for target in node.targets if isinstance(node, ast.Assign) else []:
            if isinstance(target, ast.Attribute):
                assigned.append(target.attr)
            elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                assigned.append(str(target.slice.value))
    return assigned
