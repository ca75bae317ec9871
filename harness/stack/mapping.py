"""The app uses the harness's database: proven by effect, not assumed from the profile.

``[app] database_env`` fills the variables the profile names; whether the app reads them is
another matter (a settings class reading another name, an engine switch whose default is
SQLite, a URL hard-coded in the code). So, on a stack the harness runs:

- after the migrate step, the harness's database must hold the version table
  (``[database] version_table_schema.version_table``), else the migrations went elsewhere;
- after the app answers its health route, a connection of the app's (a client backend that is
  not the harness's ``application_name``) on the harness's database proves the app's side.
  An app that has not connected yet (its health does not touch the database, its pool is lazy:
  three of the four example apps) proves nothing either way, unless it wrote a SQLite file
  meanwhile and its source says why (an engine switch left at its SQLite default, none of the
  variables read): that is where it went.

A mapping disproven is a ``ConfigError`` (exit 4) with one line naming what the app read
instead (harness.stack.appsource), so that no schema item is judged on a database the app
never used.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

from harness.config.app import AppSpec
from harness.config.database import database_spec
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.messages.core import msg
from harness.stack.appsource import Findings, Place, look
from harness.transport.wait import Progress

HARNESS_APP_NAME = "staging-harness"
CONNECT_TIMEOUT_S = 10
# How long to look for the app's connection after it answered (its pool may open on a timer).
SETTLE_S = 2.0
# A migrate command that runs migrations (Alembic, Flask-Migrate, a prestart script), not a
# placeholder such as `python -c pass`: only after one must the version table be there.
_MIGRATES = re.compile(r"alembic|upgrade|migrat|prestart|\.sh\b|\bmake\b", re.IGNORECASE)


@dataclass(frozen=True)
class MappingProbe:
    """What to look for and where; ``since`` is when the stack started writing."""

    target_name: str
    spec: AppSpec
    database_url: str
    version_table: tuple[str, str] | None  # None: the migrate step is not Alembic's
    since: float

    @classmethod
    def for_target(cls, target: Target, database_url: str) -> MappingProbe | None:
        if target.app is None:
            return None
        alembic = target.alembic_ini is not None or target.app.migrations == "flask"
        db = database_spec(target)
        migrates = any(_MIGRATES.search(" ".join(command)) for command in target.app.migrate)
        table = (db.version_table_schema, db.version_table) if alembic and migrates else None
        return cls(target.name, target.app, database_url, table, time.time() - 1.0)

    def after_migrations(self, progress: Progress) -> None:
        if self.version_table is None:
            return
        schema, table = self.version_table
        found = _version_tables(self.database_url)
        if (schema, table) in found:
            return
        if found:  # the migrations did write here: the profile names another version table
            other = ".".join(found[0])
            raise ConfigError(
                msg("map.other_version_table", other=other, expected=f"{schema}.{table}"),
                hint=msg("map.other_version_table_hint", target=self.target_name, other=other),
            )
        findings = look(self.spec.dir, self.since, list(self.spec.database_env))
        raise ConfigError(
            msg("map.migrate_elsewhere", table=f"{schema}.{table}", instead=instead(findings, self.spec)),
            hint=remedy(findings, self.spec, self.target_name),
        )

    def after_start(self, progress: Progress) -> None:
        if _app_connected(self.database_url):
            progress("the app holds a connection to the harness's database")
            return
        findings = look(self.spec.dir, self.since, list(self.spec.database_env))
        if not _went_to_sqlite(findings, self.spec):  # not connected yet: a lazy pool
            return
        deadline = time.monotonic() + SETTLE_S  # it may use both: give its connection a moment
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if _app_connected(self.database_url):
                return
        raise ConfigError(
            msg("map.app_elsewhere", instead=instead(findings, self.spec)),
            hint=remedy(findings, self.spec, self.target_name),
        )


def instead(findings: Findings, spec: AppSpec) -> str:
    """What the app read, the strongest evidence first: what it wrote, then its source."""
    filled = ", ".join(spec.database_env)
    switch = unset_switch(findings, spec)
    parts = []
    if findings.sqlite_written:
        parts.append(msg("map.sqlite", path=findings.sqlite_written[0]))
    if switch is not None:
        parts.append(msg("map.switch", name=switch.found, where=str(switch)))
    if _none_read(findings, spec):
        parts.append(msg("map.none_read", names=filled))
    if findings.urls and switch is None:
        url = findings.urls[0]
        parts.append(msg("map.hard_coded", where=str(url), scheme=url.found))
    return msg("list", items=parts[:2]) if parts else msg("map.another", names=filled)


def remedy(findings: Findings, spec: AppSpec, target: str) -> str:
    section = f"[targets.{target}.app]"
    switch = unset_switch(findings, spec)
    if switch is not None:
        return msg("map.set_switch", name=switch.found, section=section)
    if _none_read(findings, spec):
        return msg("map.set_database_env", section=section)
    if findings.urls:
        return msg("map.read_from_variable", where=str(findings.urls[0]), section=section)
    return msg("map.check_database_env", section=section)


def unset_switch(findings: Findings, spec: AppSpec) -> Place | None:
    """The engine switch, unless the app's environment sets it (then it is not the cause)."""
    switch = findings.switch
    if switch is None:
        return None
    given = {name.upper() for name in (*spec.env, *spec.database_env, *os.environ)}
    return None if switch.found in given else switch


def _went_to_sqlite(findings: Findings, spec: AppSpec) -> bool:
    """A SQLite file written, and a cause for it in the source: an app may keep a SQLite
    cache beside PostgreSQL, and an app that reads its variables is not mis-mapped."""
    cause = unset_switch(findings, spec) is not None or _none_read(findings, spec)
    return bool(findings.sqlite_written) and cause


def _none_read(findings: Findings, spec: AppSpec) -> bool:
    return bool(findings.unread) and len(findings.unread) == len(spec.database_env)


def _version_tables(url: str) -> list[tuple[str, str]]:
    """Every table shaped like Alembic's version table (a ``version_num`` column)."""
    import psycopg  # lazily: only a stack the harness runs needs it here

    with psycopg.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name=HARNESS_APP_NAME
    ) as conn:
        rows = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.columns"
            " WHERE column_name = 'version_num' ORDER BY 1, 2"
        ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]


def _app_connected(url: str) -> bool:
    """A client backend on this database that is neither this connection nor the harness's."""
    import psycopg

    with psycopg.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name=HARNESS_APP_NAME
    ) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            " AND datname = current_database() AND pid <> pg_backend_pid()"
            " AND coalesce(application_name, '') <> %s",
            (HARNESS_APP_NAME,),
        ).fetchone()
    return bool(row and row[0])

