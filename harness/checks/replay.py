"""The schema-drift replay: the app's migrations, in the app's interpreter, into a throwaway
database, proven to have built there and nowhere else.

Why it cannot touch the live database (README "The replay is harmless"):

* up front, an alembic.ini whose ``sqlalchemy.url`` names the live server and database is a
  configuration error (the replay helper overrides it anyway, but such an ini is a trap);
* the replay subprocess's environment holds no variable whose value contains the live
  password or the live URL (a ``SQLALCHEMY_DATABASE_URI`` inherited from the shell is
  stripped), no libpq ``PG*`` variable, and the app's own variables (``database_env``)
  mapped to the throwaway database;
* afterwards the throwaway database must hold the version table at the expected revision;
  if it does not, env.py built elsewhere (a hard-coded URL, an unmapped variable): a
  configuration error naming the variables to map, never "drift".
"""

from __future__ import annotations

import getpass
import re
from pathlib import Path

from sqlalchemy import Engine, make_url

from harness.checks.migrations import alembic_config, read_db_revisions
from harness.config.alembic_ini import ini_section
from harness.config.database import DatabaseSpec
from harness.errors import AppCodeError, ConfigError
from harness.messages.core import msg
from harness.secrets import mask_url
from harness.stack.appcode import AppCode, live_secrets
from harness.transport.db import database_errors

# The app's env.py could not reach the database it was given (or reached none at all).
_NOT_CONNECTED = re.compile(
    r"OperationalError|connection (to server .* failed|refused)|could not translate host|"
    r"password authentication failed|database \S+ does not exist|KeyError|ValidationError",
    re.IGNORECASE,
)


# The role lacks a privilege the migrations need (CREATE EXTENSION of an untrusted
# extension, a schema or object another role owns): nothing about the migrations themselves.
_NOT_PERMITTED = re.compile(
    r"InsufficientPrivilege|permission denied|must be (owner|superuser|a member)|"
    r"must have (CREATE|admin)",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r'permission denied to create extension "?(?P<name>[\w-]+)"?', re.IGNORECASE)


class ReplayFailed(Exception):
    """A migration itself failed on the empty throwaway database: that is the finding."""


class ReplayNotPermitted(Exception):
    """The role may create the throwaway database but not everything the migrations create
    in it: the item is "not run" (the suite says so), never a verdict on the migrations."""


def not_permitted(error_line: str, role: str | None) -> ReplayNotPermitted:
    """The privilege named, and who can grant it. No user in the URL: libpq's, the OS user's."""
    who = f"the role {role or getpass.getuser()}"
    cause = re.sub(r"^.*InsufficientPrivilege\)?:?\s*", "", error_line)
    extension = _EXTENSION.search(error_line)
    if extension:
        name = extension.group("name")
        need = f"CREATE EXTENSION {name}"
        fix = (f"run it with a role that may create {name} (a superuser), or have an administrator "
               f"run CREATE EXTENSION {name} in template1 so that new databases start with it")  # fmt: skip
    else:
        need, fix = "a privilege", "run it with a role that holds it (the role deploys use)"
    return ReplayNotPermitted(
        f"{who} may create the throwaway database but lacks {need}, which the migrations need "
        f"({cause.strip()[:200]}): the replay could not build, so the migrations are not judged; {fix}"
    )


def _same_database(a: str, b: str) -> bool:
    """Same server (localhost == 127.0.0.1), port and database name."""
    try:
        ua, ub = make_url(a), make_url(b)
    except Exception:  # noqa: BLE001  an unparsable ini URL cannot point anywhere
        return False
    local = {"localhost", "127.0.0.1", "::1", None}
    same_host = ua.host == ub.host or (ua.host in local and ub.host in local)
    return same_host and (ua.port or 5432) == (ub.port or 5432) and ua.database == ub.database


def refuse_live_ini_url(ini: Path, app: AppCode, live_url: str) -> None:
    url = alembic_config(ini, app.spec.dir).get_main_option("sqlalchemy.url") or ""
    if url.strip() and _same_database(url.strip(), live_url):
        raise ConfigError(
            msg("replay.live_ini_url", ini=ini, url=mask_url(url.strip())), hint=msg("replay.live_ini_url_hint"),
        )


def run_replay(
    app: AppCode, ini: Path, replay_url: str, live_url: str, revisions: list[str]
) -> None:
    """Upgrade the throwaway database to each of ``revisions`` in the app's interpreter.
    Raises ReplayFailed (a migration fails: the finding), ReplayNotPermitted (the role may
    not: not run) or ConfigError (env.py built elsewhere)."""
    env = app.environment(replay_url, strip=live_secrets(live_url))
    env["HV_REPLAY_URL"] = replay_url
    env["HV_ALEMBIC_SECTION"] = ini_section(ini)  # an ini with only [alembic:NAME] sections
    try:
        if app.spec.migrations == "flask":  # env.py needs the app context: Flask-Migrate's way
            assert app.spec.wsgi is not None  # parse_app requires it with migrations = "flask"
            app.helper("flask_replay", [app.spec.wsgi, *revisions], env)
        else:
            app.helper("replay", [str(ini), *revisions], env)
    except AppCodeError as exc:
        if re.search(r"ModuleNotFoundError|ImportError", exc.error_line):
            raise
        if _NOT_CONNECTED.search(exc.error_line):
            raise not_built_here(app, msg("replay.not_reached", error=exc.error_line)) from None
        if _NOT_PERMITTED.search(exc.error_line):
            raise not_permitted(exc.error_line, make_url(replay_url).username) from None
        raise ReplayFailed(exc.error_line or exc.message) from None


def require_built_here(
    replay: Engine, spec: DatabaseSpec, revisions: list[str], app: AppCode
) -> None:
    with database_errors(replay), replay.connect() as connection:
        found = read_db_revisions(connection, spec)
    if found != sorted(revisions):
        table = f"{spec.version_table_schema}.{spec.version_table}"
        seen = msg("replay.no_version_table") if found is None else f"{table} = {found or msg('replay.empty')}"
        raise not_built_here(app, msg("replay.holds", seen=seen, expected=str(sorted(revisions))))


def not_built_here(app: AppCode, why: str) -> ConfigError:
    names = ", ".join(app.spec.database_env) or msg("replay.none")
    return ConfigError(
        msg("replay.not_built_here", why=why, names=names), hint=msg("replay.not_built_here_hint"),
    )
