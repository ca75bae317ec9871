"""Per-run state shared by the plugin's hooks and fixtures (kept in ``config.stash``)."""

from __future__ import annotations

import platform
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from harness.config.targets import Target
from harness.errors import CONFIG, ConfigError, HarnessError, TargetUnavailable
from harness.report.results import ResultsCollector, utc_now
from harness.stack import Stack, StackAddresses, make_stack
from harness.transport.liveness import MARK


def make_run_id(now: datetime) -> str:
    """Short, sortable, lowercase, safe inside a PostgreSQL identifier: ``r20261122t193012ab12l``.
    The final ``l`` says the run holds a liveness lock while it writes, so sweepers judge its
    leftovers by that lock (harness.transport.liveness), not by age."""
    return f"r{now:%Y%m%d}t{now:%H%M%S}{secrets.token_hex(2)}{MARK}"


@dataclass
class HarnessState:
    run_id: str
    started: datetime
    target_name: str
    target: Target | None = None
    config_error: HarnessError | None = None
    stack: Stack | None = None
    addresses: StackAddresses | None = None
    unavailable: TargetUnavailable | None = None
    # The cold-start wait's outcome: done once on the controller, handed to xdist workers.
    http_ready: bool = False
    http_unavailable: TargetUnavailable | ConfigError | None = None
    collector: ResultsCollector | None = None
    report_dir: Path | None = None
    finished: bool = False  # the session's finish (report written) has run
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, target_name: str) -> HarnessState:
        now = utc_now()
        return cls(run_id=make_run_id(now), started=now, target_name=target_name)

    def require_target(self) -> Target:
        """The resolved target with live addresses; raises the reason it is unusable."""
        if self.unavailable is not None:
            raise self.unavailable
        if self.target is None:
            raise TargetUnavailable(f"target {self.target_name!r} was not resolved")
        return self.target

    def provision(self, progress: Any, with_app: bool = True) -> None:
        """Controller only: bring the stack up (local or containers), the app server only
        ``with_app``; a failure makes the run blocked."""
        assert self.target is not None
        try:
            self.stack = make_stack(self.target, log_dir=self.report_dir, with_app=with_app)
        except TargetUnavailable as exc:
            self.unavailable = exc
            return
        try:
            self.addresses = self.stack.start(progress)
        except TargetUnavailable as exc:
            self.unavailable = exc
            return
        except ConfigError as exc:  # the app's code cannot run as configured: exit 4, not 75
            self.config_error = exc
            self.unavailable = TargetUnavailable(exc.one_line(), cause=CONFIG)
            self.unavailable.log_tail = getattr(exc, "log_tail", "")  # type: ignore[attr-defined]
            return
        self.adopt(self.addresses)

    def wait_for_http(self, progress: Any) -> None:
        """Wait out a cold start once, before any test judges anything (a sleeping
        free-tier service can take a minute). Idempotent; a failure blocks HTTP tests only."""
        target = self.target
        if self.http_ready or self.http_unavailable or self.unavailable or target is None:
            return
        if not target.base_url:
            return
        from harness.transport.tls import tls_spec
        from harness.transport.wait import HttpWaitStrategy

        strategy = HttpWaitStrategy(
            url=f"{target.base_url}{target.health.path}",
            timeout_s=target.health.wait_timeout_s,
            interval_s=target.health.wait_interval_s,
            verify=tls_spec(target).httpx_verify(),
        )
        try:
            strategy.wait(progress)
            self.http_ready = True
        except (TargetUnavailable, ConfigError) as exc:  # ConfigError: an untrusted certificate
            self.http_unavailable = exc

    def adopt(self, addresses: StackAddresses) -> None:
        assert self.target is not None
        self.addresses = addresses
        self.target = self.target.with_addresses(addresses.base_url, addresses.database_url)

    def teardown(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None


state_key = pytest.StashKey[HarnessState]()


def get_state(config: pytest.Config) -> HarnessState:
    return config.stash[state_key]


def environment_facts(root: Path) -> dict[str, Any]:
    """What the report records about the machine and code that produced it."""
    return {
        "code_revision": _git_revision(root),
        "python": platform.python_version(),
        "pytest": pytest.__version__,
        "platform": platform.platform(terse=True),
        "argv": [Path(sys.argv[0]).name, *sys.argv[1:]],
    }


def _git_revision(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root, capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
