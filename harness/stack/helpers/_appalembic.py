"""The app's Alembic as its own command sees it (imported by path by the other helpers).

``app_config`` gives the ``Config`` that ``alembic -c INI`` run from the app's folder builds,
or, for a Flask-Migrate app, the one ``flask db`` builds inside the app's context (its env.py
reads ``current_app``); the context stays pushed for the rest of the process.
``env_options`` runs the app's env.py online until its ``context.configure(...)`` call and
returns the keyword arguments it passed (``include_object``, ``compare_type``, ...): nothing
is migrated, env.py's connection is closed when it unwinds.
``point_at`` hands the harness's database to env.py every way Alembic offers: an env.py that
builds its engine from alembic.ini's ``sqlalchemy.url`` (a compose host such as ``db``) then
reaches the harness's database, in the driver that URL names.
Imports only the stdlib and Alembic (Flask only for a Flask-Migrate app).
"""

import argparse
import importlib.util
import os
import re
import sys

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory

HERE = os.path.dirname(os.path.abspath(__file__))


def sibling(name: str):
    """Another helper of this folder, loaded by path under a private name."""
    spec = importlib.util.spec_from_file_location(f"_hv_{name}", os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def app_config(ini: str, flask_app: str | None) -> Config:
    sys.path.insert(0, os.getcwd())  # as the alembic CLI (or flask --app) run from here sees it
    if not flask_app:  # an ini with only [alembic:NAME] sections: the harness names which
        return Config(ini, ini_section=os.environ.get("HV_ALEMBIC_SECTION", "alembic"))
    from flask.cli import ScriptInfo

    app = ScriptInfo(app_import_path=flask_app, set_debug_flag=False).load_app()
    app.app_context().push()
    return app.extensions["migrate"].migrate.get_config(os.path.dirname(os.path.abspath(ini)))


_SCHEME = re.compile(r"^\s*(postgres(?:ql)?(?:\+\w+)?)://")


def in_ini_driver(config: Config, url: str) -> str:
    """``url`` with the scheme of the ini's own ``sqlalchemy.url`` when that names PostgreSQL
    (env.py built its engine for that driver: ``async_engine_from_config`` needs an async one),
    else ``url`` as given."""
    try:
        own = config.get_main_option("sqlalchemy.url") or ""
    except Exception:  # noqa: BLE001  an interpolation the ini cannot resolve: not a URL to keep
        own = ""
    found = _SCHEME.match(own)
    if not found:
        return url
    scheme = re.sub(r"^postgres(?=\+|$)", "postgresql", found.group(1))
    return re.sub(r"^[\w+.-]+://", scheme + "://", url, count=1)


def point_at(config: Config, url: str) -> None:
    """``sqlalchemy.url`` and ``-x url=`` (unless the command line gave one) name ``url``."""
    url = in_ini_driver(config, url)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    options = config.cmd_opts if config.cmd_opts is not None else argparse.Namespace()
    given = list(getattr(options, "x", None) or [])
    if not any(arg.startswith("url=") for arg in given):
        given.append(f"url={url}")
    options.x = given
    config.cmd_opts = options


class _Configured(Exception):
    """Raised from our ``configure``: env.py said what it wanted; stop before migrating."""


def env_options(config: Config) -> dict:
    """The keyword arguments env.py hands ``context.configure`` when run online."""
    captured: dict = {}

    def configure(**kwargs) -> None:
        captured.update(kwargs)
        raise _Configured

    script = ScriptDirectory.from_config(config)
    environment = EnvironmentContext(config, script, fn=lambda revision, context: [])
    environment.configure = configure  # the module proxy calls the instance's attribute
    with environment:
        try:
            script.run_env()
        except _Configured:
            pass
    if not captured:
        raise RuntimeError("env.py never called context.configure()")
    return captured
