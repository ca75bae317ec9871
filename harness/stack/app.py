"""Running the app under test: its migrate command, then uvicorn on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from harness.config.targets import AppSpec
from harness.errors import StackError
from harness.secrets import redact
from harness.stack.postgres import free_port, tail
from harness.transport.wait import HttpWaitStrategy, Progress


def app_environment(spec: AppSpec, database_url: str) -> dict[str, str]:
    """The parent's env (so REFAPP_FAULTS and the like pass through), the profile's
    ``app.env`` and the database URL under the name the app reads."""
    env = dict(os.environ)
    env.update(spec.env)
    env[spec.database_env] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_migrations(spec: AppSpec, env: Mapping[str, str], log_path: Path) -> None:
    command = [sys.executable if part == "{python}" else part for part in spec.migrate]
    with log_path.open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        proc = subprocess.run(
            command, cwd=spec.dir, env=dict(env), stdout=log, stderr=subprocess.STDOUT, timeout=300
        )
    if proc.returncode != 0:
        raise StackError(
            f"the app's migrate command failed (exit {proc.returncode}): {' '.join(command)}",
            log_tail=redact(tail(log_path, 25)),
            hint=f"see {log_path}",
        )


@dataclass
class AppProcess:
    """uvicorn serving ``spec.asgi``. Its own session, so Ctrl-C reaches the harness first
    and the harness decides the order of teardown."""

    spec: AppSpec
    env: Mapping[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "uvicorn", self.spec.asgi,
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.spec.dir,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, health_path: str, progress: Progress) -> None:
        strategy = HttpWaitStrategy(
            url=f"{self.base_url}{health_path}",
            timeout_s=self.spec.start_timeout_s,
            interval_s=0.2,
            hint=f"the app did not come up; its log is {self.log_path}",
        )
        try:
            strategy.wait(progress, alive=self._death_reason)
        except StackError:
            raise
        except Exception as exc:
            raise StackError(
                f"app did not become ready: {exc}",
                log_tail=redact(tail(self.log_path, 25)),
                hint=f"see {self.log_path}",
            ) from exc

    def _death_reason(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        return f"the app exited with code {self.process.returncode} before answering"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def launch_app(
    spec: AppSpec, health_path: str, database_url: str, log_path: Path,
    progress: Progress, timings: dict[str, float],
) -> AppProcess:  # fmt: skip
    """Migrations, then uvicorn until healthy: the same for every kind that runs the app."""
    env = app_environment(spec, database_url)
    mark = time.perf_counter()
    progress("running the app's migrations")
    run_migrations(spec, env, log_path)
    timings["migrations"] = time.perf_counter() - mark
    mark = time.perf_counter()
    progress("starting the app under uvicorn")
    app = AppProcess(spec, env, log_path)
    try:
        app.start()
        app.wait_ready(health_path, progress)
    except BaseException:
        app.stop()
        raise
    timings["app_start"] = time.perf_counter() - mark
    return app
