"""The ``[targets.NAME.app]`` profile section: how the harness runs the app's own code.

See README "Real apps": the interpreter (``python``), the folder (``dir``), the migrate
commands, the ASGI app, and ``database_env`` (the app's variables as templates over a
database URL).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.config.keys import number, reject_unknown_keys, resolve_path
from harness.errors import ConfigError
from harness.messages.core import msg


@dataclass(frozen=True)
class AppSpec:
    """How the harness runs the app's own code (README "Real apps: [app] and [stack]").

    Every kind has one where the harness knows an alembic.ini: the drift replay, the model
    description and the script fallback run in ``python`` from ``dir``; local and containers
    also run ``migrate`` and serve ``asgi`` there. ``database_env`` maps the app's variables
    to templates filled from a database URL (``{url}``, ``{host}`` … see ``DB_PLACEHOLDERS``).
    """

    dir: Path
    python: str = sys.executable
    asgi: str = "reference_app.main:app"
    migrate: tuple[tuple[str, ...], ...] = (
        ("{python}", "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"),
    )
    database_env: Mapping[str, str] = field(default_factory=lambda: {"DATABASE_URL": "{url}"})
    env: Mapping[str, str] = field(default_factory=dict)
    start_timeout_s: float = 60.0
    # A WSGI app ("module:app" or a factory "module:create_app()"): served by gunicorn instead
    # of ``asgi`` under uvicorn (README "Flask backends").
    wsgi: str | None = None
    # "flask": migrate and replay through Flask-Migrate inside the app's context (an env.py
    # that needs ``current_app``); "alembic": the plain alembic CLI / command API.
    migrations: str = "alembic"

    @property
    def served(self) -> str:
        """The import path the server loads (and the route inventory asks)."""
        return self.wsgi or self.asgi


# What a database_env template may name: the URL in four driver forms and its parts.
DB_PLACEHOLDERS = (
    "url", "url_psycopg", "url_asyncpg", "url_psycopg2", "host", "port", "user", "password", "database",
)  # fmt: skip


_APP_KEYS = {
    "dir", "python", "asgi", "wsgi", "migrations", "migrate", "database_env", "env",
    "start_timeout_s",
}  # fmt: skip
_WSGI = re.compile(r"^[\w.]+:[\w.]+(\(\))?$")
MIGRATION_TOOLS = ("alembic", "flask")


def parse_app(
    table: Mapping[str, Any] | None, base: Path, where: str, kind: str, ini: Path | None
) -> AppSpec | None:
    """``[app]`` for every kind; ``dir`` defaults to the alembic.ini's folder. A remote
    target with neither has no app code to run (None)."""
    table = table if isinstance(table, Mapping) else {}
    reject_unknown_keys(table, _APP_KEYS, f"{where}.app")
    app_dir = resolve_path(table.get("dir"), base) or (ini.parent if ini else None)
    if app_dir is None or ("dir" not in table and not app_dir.is_dir()):
        if kind == "remote":  # nothing of the app's to run here (the alembic_ini check says why)
            return None
        raise ConfigError(
            msg("appcfg.needs_dir", where=where, kind=kind), hint=msg("appcfg.needs_dir_hint"),
        )
    if not app_dir.is_dir():
        raise ConfigError(msg("appcfg.not_folder", where=where, path=app_dir), hint=msg("appcfg.fix_path"))
    defaults = AppSpec(dir=app_dir)
    wsgi, migrations = _wsgi_and_migrations(table, where)
    migrate_default = defaults.migrate
    env = {str(k): str(v) for k, v in table.get("env", {}).items()}
    if migrations == "flask" and wsgi:
        # FLASK_APP in env: a Flask before 2.2, which has no --app option, reads it there.
        named = () if "FLASK_APP" in env else ("--app", wsgi)
        migrate_default = (("{python}", "-m", "flask", *named, "db", "upgrade"),)
    return replace(
        defaults,
        python=_app_python(table.get("python"), base, where),
        asgi=table.get("asgi", defaults.asgi),
        wsgi=wsgi,
        migrations=migrations,
        migrate=_migrate(table.get("migrate"), migrate_default, where),
        database_env=_database_env(table.get("database_env"), where),
        env=env,
        start_timeout_s=_seconds(table, defaults.start_timeout_s, where),
    )


def _wsgi_and_migrations(table: Mapping[str, Any], where: str) -> tuple[str | None, str]:
    """``wsgi`` is "module:app" or "module:factory()"; ``migrations = "flask"`` needs it (the
    app whose context Flask-Migrate's env.py runs in)."""
    wsgi = table.get("wsgi")
    if wsgi is not None and (not isinstance(wsgi, str) or not _WSGI.match(wsgi)):
        raise ConfigError(
            msg("appcfg.bad_wsgi", where=where, value=repr(wsgi)), hint=msg("appcfg.wsgi_hint"),
        )
    migrations = table.get("migrations", "alembic")
    if migrations not in MIGRATION_TOOLS:
        raise ConfigError(
            msg("appcfg.bad_migrations", where=where, value=repr(migrations), choices=", ".join(MIGRATION_TOOLS)),
            hint=msg("appcfg.migrations_hint"),
        )
    if migrations == "flask" and wsgi is None:
        raise ConfigError(
            msg("appcfg.flask_needs_wsgi", where=where), hint=msg("appcfg.flask_needs_wsgi_hint"),
        )
    return wsgi, str(migrations)


def _app_python(value: Any, base: Path, where: str) -> str:
    """An interpreter, or a venv folder (its bin/python). Not resolved: a venv's python is a
    symlink, and following it would leave the venv."""
    if value is None:
        return sys.executable
    if not isinstance(value, str) or not value:
        raise ConfigError(msg("appcfg.python_path", where=where, value=repr(value)))
    path = Path(value).expanduser()
    path = path if path.is_absolute() else Path(os.path.abspath(base / path))
    if path.is_dir():
        path = path / "bin" / "python"
    if not os.access(path, os.X_OK) or path.is_dir():
        raise ConfigError(
            msg("appcfg.not_interpreter", where=where, path=path), hint=msg("appcfg.not_interpreter_hint"),
        )
    return str(path)


def _migrate(
    value: Any, default: tuple[tuple[str, ...], ...], where: str
) -> tuple[tuple[str, ...], ...]:
    """One command (a list of strings) or several (a list of lists), run in order."""
    if value is None:
        return default
    commands = (
        [value] if isinstance(value, list) and all(isinstance(v, str) for v in value) else value
    )
    if (
        not isinstance(commands, list)
        or not commands
        or not all(
            isinstance(c, list) and c and all(isinstance(p, str) for p in c) for c in commands
        )
    ):
        raise ConfigError(
            msg("appcfg.bad_migrate", where=where), hint=msg("appcfg.migrate_example"),
        )
    return tuple(tuple(c) for c in commands)


def _database_env(value: Any, where: str) -> dict[str, str]:
    """A variable name (gets ``{url}``) or a table of variable = template."""
    if value is None:
        return {"DATABASE_URL": "{url}"}
    mapping = {value: "{url}"} if isinstance(value, str) else value
    if not isinstance(mapping, Mapping) or not mapping:
        raise ConfigError(msg("appcfg.database_env_shape", where=where))
    for name, template in mapping.items():
        if not isinstance(template, str):
            raise ConfigError(msg("appcfg.database_env_template", where=where, name=name))
        unknown = [p for p in re.findall(r"\{([^}]*)\}", template) if p not in DB_PLACEHOLDERS]
        if unknown:
            raise ConfigError(
                msg("appcfg.unknown_placeholder", where=where, name=name, placeholder="{" + unknown[0] + "}"),
                hint=msg("appcfg.use_placeholders", placeholders=", ".join("{" + p + "}" for p in DB_PLACEHOLDERS)),
            )
    return {str(k): str(v) for k, v in mapping.items()}


def _seconds(table: Mapping[str, Any], default: float, where: str) -> float:
    return number(table, "start_timeout_s", default, f"{where}.app")
