"""Bringing up a local target: embedded PostgreSQL, the app's migrations, the app.

``provision`` returns ``StackAddresses`` (plain data, JSON-serialisable) so the xdist
controller can hand them to workers. Teardown is idempotent and runs on normal exit,
Ctrl-C, a failing test and a failed start alike.
"""

from __future__ import annotations

import atexit
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Protocol

from harness.config.targets import Target
from harness.errors import StackError
from harness.stack.app import AppProcess, launch_app
from harness.stack.postgres import EmbeddedPostgres
from harness.transport.wait import Progress


@dataclass(frozen=True)
class StackAddresses:
    base_url: str
    database_url: str
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> StackAddresses:
        return cls(**json.loads(text))


class LocalStack:
    """kind = local: everything on this machine, on 127.0.0.1, gone afterwards."""

    def __init__(self, target: Target) -> None:
        if target.app is None:
            raise StackError(f"target {target.name!r} has no [app] section to run.")
        self.target = target
        self.postgres: EmbeddedPostgres | None = None
        self.app: AppProcess | None = None
        atexit.register(self.stop)  # last resort if the session never reaches teardown

    def start(self, progress: Progress) -> StackAddresses:
        timings: dict[str, float] = {}
        try:
            mark = time.perf_counter()
            progress("starting embedded PostgreSQL")
            self.postgres = EmbeddedPostgres.create()
            self.postgres.start()
            timings["postgres_start"] = time.perf_counter() - mark
            return self._start_app(progress, timings)
        except BaseException:
            self.stop()
            raise

    def _start_app(self, progress: Progress, timings: dict[str, float]) -> StackAddresses:
        assert self.postgres is not None and self.target.app is not None
        self.app = launch_app(
            self.target.app, self.target.health.path, self.postgres.url(),
            self.postgres.root / "app.log", progress, timings,
        )  # fmt: skip
        return StackAddresses(self.app.base_url, self.postgres.url(), timings)

    def stop(self) -> None:
        if self.app is not None:
            self.app.stop()
        if self.postgres is not None:
            self.postgres.stop()


class Stack(Protocol):
    """What a kind that brings a system up provides (LocalStack, ContainersStack)."""

    def start(self, progress: Progress) -> StackAddresses: ...

    def stop(self) -> None: ...


def make_stack(target: Target) -> Stack:
    if target.kind == "containers":
        from harness.stack.containers import ContainersStack  # docker/testcontainers: lazily

        return ContainersStack(target)
    return LocalStack(target)


def validate_stack_config(target: Target) -> None:
    """Configure time: the kind's own profile keys, so a mistake is a usage error (exit 4)
    before anything starts; for containers also the loopback-only settings. Imports nothing
    heavy."""
    if target.kind == "containers":
        from harness.stack.containers import ContainersSettings
        from harness.stack.engine import pin_loopback

        ContainersSettings.from_target(target)
        pin_loopback()  # before anything imports testcontainers, which reads them at import
