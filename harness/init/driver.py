"""The PostgreSQL driver actually installed in the app's interpreter, and the URL form each
database URL variable gets (``{url}``, ``{url_psycopg2}``, ``{url_psycopg}``, ``{url_asyncpg}``).

A plain ``postgresql://`` URL means psycopg2 to SQLAlchemy before 2.1 and psycopg 3 from 2.1
on: an app whose venv has only the other driver fails to connect with it. So init asks the
app's interpreter which drivers import, and reads from the source whether the app is async
(``create_async_engine``) or rewrites the scheme itself (then it gets the plain form).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness.init.composed import composed_urls, driver_template
from harness.init.envreads import app_modules

_ASK = """
import importlib, json
found = {}
for name in ("psycopg2", "psycopg", "asyncpg", "sqlalchemy"):
    try:
        module = importlib.import_module(name)
        found[name] = str(getattr(module, "__version__", "")).split()[0] or "?"
    except Exception:
        pass
print("HV-DRIVERS " + json.dumps(found))
"""
_ASYNC = {
    "create_async_engine",
    "async_engine_from_config",
    "async_sessionmaker",
    "AsyncSession",
    "AsyncEngine",
}
_RAW = re.compile(r"^(psycopg2?|asyncpg)$")
_DRIVER_SCHEME = re.compile(r"^postgresql\+(\w+)://$")


@dataclass
class Installed:
    drivers: dict[str, str] = field(default_factory=dict)  # module -> version

    @property
    def plain_driver(self) -> str:
        """The driver SQLAlchemy picks for a plain ``postgresql://`` URL."""
        version = self.drivers.get("sqlalchemy", "2.0")
        major_minor = tuple(int(x) for x in re.findall(r"\d+", version)[:2]) or (2, 0)
        return "psycopg" if major_minor >= (2, 1) else "psycopg2"


def installed(python: Path, app_dir: Path) -> Installed | None:
    """What imports in the app's interpreter; None when it cannot be asked."""
    try:
        done = subprocess.run(
            [str(python), "-c", _ASK], cwd=app_dir, capture_output=True, text=True,
            timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = next((x for x in done.stdout.splitlines() if x.startswith("HV-DRIVERS ")), None)
    return Installed(json.loads(line.removeprefix("HV-DRIVERS "))) if line else None


@dataclass(frozen=True)
class Usage:
    is_async: bool  # the app (or its env.py) makes an async engine
    rewrites: bool  # the app turns the scheme into a driver's form itself
    raw: bool  # the app hands the URL to a driver directly (psycopg2.connect …)


def usage(app_dir: Path, env_py: Path | None) -> Usage:
    trees = [tree for _, tree in app_modules(app_dir)]
    if env_py is not None and env_py.is_file():
        try:
            trees.append(ast.parse(env_py.read_text(encoding="utf-8")))
        except (SyntaxError, UnicodeDecodeError):
            pass
    is_async = rewrites = raw = False
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, (ast.Name, ast.Attribute)):
            is_async |= (node.id if isinstance(node, ast.Name) else node.attr) in _ASYNC
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            rewrites |= bool(_DRIVER_SCHEME.match(node.value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            raw |= (
                node.func.attr in ("connect", "create_pool")
                and isinstance(owner, ast.Name)
                and bool(_RAW.match(owner.id))
            )
    return Usage(is_async, rewrites, raw)


def url_template(name: str, have: Installed, use: Usage) -> tuple[str, str | None]:
    """(the placeholder for URL variable ``name``, a TODO when no driver fits)."""
    drivers = have.drivers
    upper = name.upper()
    wants_async = ("ASYNC" in upper or use.is_async) and "SYNC_" not in upper.replace("ASYNC", "")
    if use.rewrites or (use.raw and not use.is_async):
        return "{url}", None
    if wants_async:
        for module in ("asyncpg", "psycopg"):
            if module in drivers:
                return "{url_" + module + "}", None
        return "{url_asyncpg}", _no_driver(name, "asyncpg (or psycopg)")
    if have.plain_driver in drivers:
        return "{url}", None
    for module in ("psycopg2", "psycopg"):
        if module in drivers:
            return "{url_" + module + "}", None
    return "{url}", _no_driver(name, "psycopg2-binary or psycopg[binary]")


def _no_driver(name: str, package: str) -> str:
    return (
        f"{name}: no PostgreSQL driver imports in the app's interpreter: install {package} "
        "into the app's venv"
    )


def choose_drivers(
    database_env: dict[str, str], python: Path, app_dir: Path, env_py: Path | None
) -> list[str]:
    """Rewrite each ``{url}`` template for the driver the app's interpreter has; TODO lines."""
    names = [n for n, template in database_env.items() if template == "{url}"]
    if not names:
        return []
    have = installed(python, app_dir)
    if have is None:
        return [
            f"could not ask {python} which PostgreSQL driver it has: {', '.join(names)} keep {{url}}"
        ]
    use = usage(app_dir, env_py)
    composed = composed_urls(app_dir)
    todo = []
    for name in names:
        database_env[name], line = url_template(name, have, use)
        template = driver_template(composed[name]) if name in composed else None
        if template:  # the app's validator composes this driver's URL: give it the same
            database_env[name], line = template, _missing(name, template, have)
        if line:
            todo.append(line)
    return todo


def _missing(name: str, template: str, have: Installed) -> str | None:
    module = template.removeprefix("{url_").removesuffix("}")
    if module in have.drivers:
        return None
    package = {"psycopg2": "psycopg2-binary", "psycopg": "psycopg[binary]"}.get(module, module)
    return (
        f"{name}: the app's settings compose a {module} URL, and {module} does not import in "
        f"the app's interpreter: install {package} into the app's venv"
    )
