"""Bringing up a local target: embedded PostgreSQL, the app's migrations, the app.

``provision`` returns ``StackAddresses`` (plain data, JSON-serialisable) so the xdist
controller can hand them to workers. Teardown is idempotent and runs on normal exit,
Ctrl-C, a failing test and a failed start alike.
"""

from __future__ import annotations

import atexit
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from harness.config.stack import stack_spec, system_bindir
from harness.config.targets import Target
from harness.errors import StackError
from harness.messages.core import msg
from harness.stack.addresses import StackAddresses as StackAddresses  # re-exported
from harness.stack.app import AppProcess, MigrationsDiverged, launch_app, log_file
from harness.stack.mapping import MappingProbe
from harness.stack.postgres import EmbeddedPostgres
from harness.transport.wait import Progress

MIGRATED_SNAPSHOT_DB = "harness_migrated_snapshot"


class LocalStack:
    """kind = local: everything on this machine, on 127.0.0.1, gone afterwards."""

    def __init__(self, target: Target, log_dir: Path | None = None, with_app: bool = True) -> None:
        if target.app is None:
            raise StackError(msg("app.no_app_section", name=repr(target.name)))
        self.target = target
        self.log_dir = log_dir
        self.with_app = with_app  # False: PostgreSQL and the migrations only (harness.plugin.needs)
        self.spec = stack_spec(target)
        self.postgres: EmbeddedPostgres | None = None
        self.app: AppProcess | None = None
        self.log_path: Path | None = None
        atexit.register(self.stop)  # last resort if the session never reaches teardown

    def start(self, progress: Progress) -> StackAddresses:
        timings: dict[str, float] = {}
        try:
            mark = time.perf_counter()
            bindir = self.spec.bindir or (
                system_bindir() if self.spec.postgres == "system" else None
            )
            progress(
                f"starting {self.spec.postgres} PostgreSQL" + (f" from {bindir}" if bindir else "")
            )
            self.postgres = EmbeddedPostgres.create(bindir)
            self.postgres.start()
            timings["postgres_start"] = time.perf_counter() - mark
            return self._start_app(progress, timings)
        except BaseException:
            self.stop()
            raise

    def _start_app(self, progress: Progress, timings: dict[str, float]) -> StackAddresses:
        assert self.postgres is not None and self.target.app is not None
        snapshot_url: list[str] = []
        # The copy is taken right after the app's upgrade steps, before any other migrate step
        # (seed SQL, a hand-made index): schema-drift's reference is the migrations' schema
        # alone. When nothing follows, it runs while uvicorn imports the app (≈1 s): the app's
        # first connection waits on the copy's lock rather than disturbing it.
        copier = threading.Thread(
            target=lambda: snapshot_url.extend(self._snapshot_migrated(timings)),
            name="harness-migrated-snapshot", daemon=True,
        )  # fmt: skip

        def start_copy() -> Callable[[], None]:
            copier.start()
            return copier.join

        log_path = log_file(self.log_dir)
        try:
            self.app = launch_app(
                self.target.app, self.target.health.path, self.postgres.url(),
                log_path, progress, timings, after_upgrade=start_copy,
                mapping=MappingProbe.for_target(self.target, self.postgres.url()), serve=self.with_app,
            )  # fmt: skip
        except MigrationsDiverged as stopped:
            progress(stopped.message)
            self.log_path = log_path
            return StackAddresses("", self.postgres.url(), timings, migrate_stopped=stopped.message)
        self.log_path = log_path  # it came up: no hint names this log
        if copier.ident is not None:  # never started: the first migrate step is no upgrade
            copier.join()
        base_url = self.app.base_url if self.app else ""
        return StackAddresses(base_url, self.postgres.url(), timings, snapshot_url[0] if snapshot_url else "",
                              app_log=str(log_path) if self.app else "")  # fmt: skip

    def _snapshot_migrated(self, timings: dict[str, float]) -> list[str]:
        """``CREATE DATABASE … TEMPLATE`` of the freshly migrated database: a copy on the
        same server, ≈0.4 s (overlapping the app's start) against ≈1 s for replaying the
        migrations. Best effort: on any error schema-drift replays as on a remote target."""
        assert self.postgres is not None
        import psycopg  # lazily: start-up does not need it

        mark = time.perf_counter()
        try:  # from template1: the source database must have no session, ours included
            with psycopg.connect(self.postgres.url("template1"), autocommit=True) as conn:
                conn.execute(
                    f'CREATE DATABASE "{MIGRATED_SNAPSHOT_DB}" TEMPLATE "postgres" STRATEGY FILE_COPY'
                )
        except psycopg.Error:
            return []
        timings["migrated_snapshot_background"] = time.perf_counter() - mark
        return [self.postgres.url(MIGRATED_SNAPSHOT_DB)]

    def stop(self) -> None:
        if self.app is not None:
            self.app.stop()
            self.app = None
        if self.log_path is not None and self.log_dir is None:  # a temp log nothing names
            shutil.rmtree(self.log_path.parent, ignore_errors=True)
            self.log_path = None
        if self.postgres is not None:
            self.postgres.stop()


class Stack(Protocol):
    """What a kind that brings a system up provides (LocalStack, ContainersStack)."""

    def start(self, progress: Progress) -> StackAddresses: ...

    def stop(self) -> None: ...


def make_stack(target: Target, log_dir: Path | None = None, with_app: bool = True) -> Stack:
    """``log_dir``: where the app's log is kept (the run's report folder); ``with_app=False``:
    PostgreSQL and the app's migrations, no app server (the selected tests need none)."""
    if target.kind == "containers":
        from harness.stack.containers import ContainersStack  # docker/testcontainers: lazily

        return ContainersStack(target, log_dir, with_app)
    return LocalStack(target, log_dir, with_app)


def validate_stack_config(target: Target) -> None:
    """Configure time: the kind's own profile keys, so a mistake is a usage error (exit 4)
    before anything starts; for containers also the loopback-only settings. Imports nothing
    heavy."""
    if target.kind == "containers":
        from harness.stack.containers import ContainersSettings
        from harness.stack.engine import pin_loopback

        ContainersSettings.from_target(target)
        pin_loopback()  # before anything imports testcontainers, which reads them at import
