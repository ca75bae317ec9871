"""Database URLs written into the app's code: the harness's mapping cannot reach them.

A URL is "hard-coded" when it is a complete literal (``postgresql://u@db/app``,
``sqlite:///./app.db``) the app uses as it is. Not hard-coded: the default of an environment
read or of a settings field (the variable wins), a scheme alone (``.replace("postgres://",
...)``), a part of an f-string (built from variables), a docstring, an in-memory sqlite, and
anything inside a class or function named for tests.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from harness.init.envreads import app_modules

_URL = re.compile(r"^(postgres(?:ql)?(?:\+\w+)?://.+|sqlite(?:\+\w+)?:///.+)$", re.IGNORECASE)
_READ_CALLS = {"getenv", "get", "config", "env", "str", "url", "Field"}


@dataclass(frozen=True)
class HardCoded:
    where: str  # "app/db.py:7"
    url: str  # password masked

    def todo(self, variable: str | None) -> str:
        fix = (
            f"read it from {variable} (which the profile maps)"
            if variable
            else "read it from an environment variable such as DATABASE_URL and map that in [app] database_env"
        )
        return (
            f"{self.where} hard-codes the database URL {self.url!r}: the harness's database "
            f"cannot reach that code; {fix}"
        )


def hard_coded_urls(app_dir: Path) -> list[HardCoded]:
    found: list[HardCoded] = []
    for path, tree in app_modules(app_dir):
        where = str(path.relative_to(app_dir))
        found += [HardCoded(f"{where}:{line}", mask(url)) for line, url in _scan(tree)]
    return found


def fixed_ports(app_dir: Path) -> list[str]:
    """TODO lines for a database URL built with port 5432 written in (``@{host}:5432/``,
    ``port=5432``): the harness's PostgreSQL listens on another port."""
    lines = []
    for path, tree in app_modules(app_dir):
        where = str(path.relative_to(app_dir))
        for node in ast.walk(tree):
            in_url = isinstance(node, ast.JoinedStr) and any(
                isinstance(v, ast.Constant) and re.match(r"^:5432(/|$)", str(v.value)) for v in node.values
            )  # fmt: skip
            keyword = (
                isinstance(node, ast.keyword)
                and node.arg == "port"
                and getattr(node.value, "value", None) == 5432
            )
            if in_url or keyword:
                lines.append(
                    f"{where}:{node.value.lineno if isinstance(node, ast.keyword) else getattr(node, 'lineno', 0)} builds the database URL with "
                    "port 5432 written in: the harness's PostgreSQL listens elsewhere; read the port "
                    "from a variable (e.g. POSTGRES_PORT) and map it in [app] database_env"
                )
    return lines


def mask(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _scan(tree: ast.Module) -> list[tuple[int, str]]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if _is_test_scope(node) or _is_docstring(node) or isinstance(node, ast.JoinedStr):
            skipped.update(id(sub) for sub in ast.walk(node))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            skipped.update(id(sub) for sub in ast.walk(node.value))  # a settings field's default
        elif _reads_environment(node):
            skipped.update(id(sub) for sub in ast.walk(node))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in skipped and _URL.match(node.value.strip())
    )  # fmt: skip


def _is_test_scope(node: ast.AST) -> bool:
    return (
        isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and "test" in node.name.lower()
    )


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def _reads_environment(node: ast.AST) -> bool:
    """A statement whose value comes from the environment, a literal only its fallback
    (``os.environ.get("DATABASE_URL") or "sqlite:///app.db"``)."""
    if not isinstance(node, (ast.Assign, ast.Return, ast.keyword, ast.BoolOp, ast.IfExp)):
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in _READ_CALLS:
                return True
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.value, ast.Attribute)
            and sub.value.attr == "environ"
        ):
            return True
    return False
