"""The cached initdb template: each cluster still gets its own random password, and a
template the harness did not make itself is never used."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from harness.stack.postgres import EmbeddedPostgres, _trusted_template


def _connects(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def test_clusters_from_one_template_have_their_own_passwords() -> None:
    first, second = EmbeddedPostgres.create(), EmbeddedPostgres.create()
    try:
        first.start()
        second.start()
        assert first.password != second.password
        assert _connects(first.url()) and _connects(second.url())
        # The other cluster's password, and none at all, are refused over TCP.
        assert not _connects(first.url().replace(first.password, second.password))
        assert not _connects(f"postgresql://postgres@127.0.0.1:{first.port}/postgres")
    finally:
        first.stop()
        second.stop()


def test_a_template_open_to_others_or_not_ours_is_not_trusted(tmp_path: Path) -> None:
    cluster = EmbeddedPostgres.create()  # creates the server's user when run as root
    cluster.stop()
    fake = tmp_path / "template"
    fake.mkdir()
    (fake / "PG_VERSION").write_text("18\n")
    if cluster.run_as:
        shutil.chown(fake, cluster.run_as)
    fake.chmod(0o755)
    assert not _trusted_template(fake, cluster.run_as)
    fake.chmod(0o700)
    assert _trusted_template(fake, cluster.run_as)
    if cluster.run_as:
        shutil.chown(fake, "root")
        assert not _trusted_template(fake, cluster.run_as)


def test_binaries_under_a_folder_only_root_may_enter_still_start(tmp_path: Path) -> None:
    """A CI container runs as root with the harness installed in a 700 folder: the server's
    user could not execute initdb there (a bare PermissionError traceback). Its install tree
    is copied to the temp folder instead, and the cluster starts."""
    import os

    from harness.stack.pgaccess import blocking_folder
    from harness.stack.postgres import SYSTEM_USER, find_bindir

    if os.geteuid() != 0:
        import pytest

        pytest.skip("only as root does PostgreSQL run as another user")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    package = find_bindir().parents[1]  # the wheel's package and its .libs beside it
    for part in (package, package.with_name(f"{package.name}.libs")):
        if part.is_dir():
            shutil.copytree(part, closed / part.name, symlinks=True)
    bindir = closed / find_bindir().relative_to(package.parent)
    cluster = EmbeddedPostgres.create()  # makes the system user where missing
    cluster.stop()
    assert blocking_folder(bindir / "initdb", SYSTEM_USER) is not None
    cluster = EmbeddedPostgres.create(bindir)
    try:
        assert blocking_folder(cluster.bindir / "initdb", SYSTEM_USER) is None
        cluster.start()
        assert _connects(cluster.url())
    finally:
        cluster.stop()
