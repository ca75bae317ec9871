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

from harness.errors import StackError
from harness.stack.app import AppProcess, app_environment, run_migrations
from harness.stack.postgres import EmbeddedPostgres
from harness.targets import Target
from harness.wait import Progress


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
        spec = self.target.app
        env = app_environment(spec, self.postgres.url())
        log_path = self.postgres.root / "app.log"
        mark = time.perf_counter()
        progress("running the app's migrations")
        run_migrations(spec, env, log_path)
        timings["migrations"] = time.perf_counter() - mark
        mark = time.perf_counter()
        progress("starting the app under uvicorn")
        self.app = AppProcess(spec, env, log_path)
        self.app.start()
        self.app.wait_ready(self.target.health.path, progress)
        timings["app_start"] = time.perf_counter() - mark
        return StackAddresses(self.app.base_url, self.postgres.url(), timings)

    def stop(self) -> None:
        if self.app is not None:
            self.app.stop()
        if self.postgres is not None:
            self.postgres.stop()


def make_stack(target: Target) -> LocalStack:
    if target.kind == "containers":
        raise StackError(
            "kind = containers is not available yet in this version.",
            hint="use --target=local",
        )
    return LocalStack(target)
