"""kind = containers with ``compose_file``: the whole stack from docker compose.

The compose file runs the app (and usually its database and migrations); the harness waits
for the app's health route, then verifies it. ``[targets.NAME.compose]``:

    app_service = "app"        # the service serving HTTP
    app_port = 8000            # its port inside the container
    db_service = "db"          # optional: publish the database to the DB checks
    db_port = 5432
    database_url = "postgresql://app:secret@{host}:{port}/app"   # {host}/{port}: published
    start_timeout_s = 120

Ports must be published on 127.0.0.1 (``"127.0.0.1::8000"``, or an engine started with
``--ip 127.0.0.1``); any other binding stops the run. The compose project is named after this
process (``hv-<host>-<pid>``) so a killed run's leftovers can be found and removed.
"""

from __future__ import annotations

import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError, StackError
from harness.secrets import redact
from harness.stack.addresses import StackAddresses
from harness.stack.engine import COMPOSE_PROJECT_PREFIX
from harness.stack.procs import pid_alive
from harness.transport.wait import HttpWaitStrategy, Progress

_KEYS = {"app_service", "app_port", "db_service", "db_port", "database_url", "start_timeout_s"}
_PROJECT_LABEL = "com.docker.compose.project"


@dataclass(frozen=True)
class ComposeSettings:
    app_service: str = "app"
    app_port: int = 8000
    db_service: str | None = None
    db_port: int = 5432
    database_url: str | None = None
    start_timeout_s: float = 120.0

    @classmethod
    def from_target(cls, target: Target) -> ComposeSettings:
        where = f"targets.{target.name}.compose"
        table = target.section("compose")
        reject_unknown_keys(table, _KEYS, where)
        for key in ("app_port", "db_port"):
            if key in table and not isinstance(table[key], int):
                raise ConfigError(f"{where}.{key}: expected a port number, got {table[key]!r}.")
        if table.get("db_service") and not table.get("database_url"):
            raise ConfigError(
                f"{where}: db_service is set but database_url is not.",
                hint='add database_url = "postgresql://USER:PASSWORD@{host}:{port}/DB"',
            )
        return cls(
            app_service=str(table.get("app_service", "app")),
            app_port=table.get("app_port", 8000),
            db_service=table.get("db_service") or None,
            db_port=table.get("db_port", 5432),
            database_url=table.get("database_url") or None,
            start_timeout_s=float(table.get("start_timeout_s", 120.0)),
        )


def project_name(pid: int | None = None) -> str:
    host = re.sub(r"[^a-z0-9]+", "", socket.gethostname().lower())[:20] or "host"
    return f"{COMPOSE_PROJECT_PREFIX}{host}-{pid or os.getpid()}"


class ComposeStack:
    def __init__(self, target: Target, compose_file: Path, owner: str) -> None:
        self.target = target
        self.compose_file = compose_file
        self.settings = ComposeSettings.from_target(target)
        self.project = project_name()
        self.compose: Any = None

    def start(self, client: Any, progress: Progress) -> StackAddresses:
        from testcontainers.compose import DockerCompose

        sweep_compose_leftovers(client)
        # DockerCompose runs `docker compose` in a subprocess that inherits this variable.
        os.environ["COMPOSE_PROJECT_NAME"] = self.project
        self.compose = DockerCompose(
            context=str(self.compose_file.parent),
            compose_file_name=self.compose_file.name,
            wait=True,
        )
        mark = time.perf_counter()
        progress(f"docker compose up ({self.compose_file.name}, project {self.project})")
        try:
            self.compose.start()
        except Exception as exc:  # noqa: BLE001 compose raises anything it met: one line, blocked
            raise StackError(
                f"docker compose up failed for {self.compose_file}: {_stderr(exc)}",
                hint="run `docker compose up` there by hand to see why",
            ) from None
        base_url = f"http://127.0.0.1:{self._port(self.settings.app_service, self.settings.app_port)}"
        self._wait_healthy(base_url, progress)
        timings = {"compose_up": time.perf_counter() - mark}
        return StackAddresses(base_url, self._database_url() or "", timings)

    def _port(self, service: str, port: int) -> int:
        publisher = self.compose.get_container(service).get_publisher(by_port=port)
        if publisher.URL not in ("127.0.0.1", "::1", "localhost"):
            raise StackError(
                f"compose service {service!r} publishes port {port} on {publisher.URL}, "
                "not on 127.0.0.1.",
                hint=f'publish it as "127.0.0.1::{port}" in {self.compose_file.name}',
            )
        return int(publisher.PublishedPort)

    def _wait_healthy(self, base_url: str, progress: Progress) -> None:
        strategy = HttpWaitStrategy(
            url=f"{base_url}{self.target.health.path}",
            timeout_s=self.settings.start_timeout_s,
            interval_s=0.5,
            hint=f"see `docker compose -p {self.project} logs {self.settings.app_service}`",
        )
        strategy.wait(progress)

    def _database_url(self) -> str | None:
        if not self.settings.db_service or not self.settings.database_url:
            return None
        port = self._port(self.settings.db_service, self.settings.db_port)
        return self.settings.database_url.format(host="127.0.0.1", port=port)

    def stop(self) -> None:
        if self.compose is not None:
            self.compose.stop(down=True)
            self.compose = None
        if os.environ.get("COMPOSE_PROJECT_NAME") == self.project:
            del os.environ["COMPOSE_PROJECT_NAME"]


def sweep_compose_leftovers(client: Any) -> list[str]:
    """Remove containers of compose projects whose harness process on this host is gone."""
    mine = project_name(0).rsplit("-", 1)[0] + "-"
    removed = []
    for container in client.containers.list(all=True, filters={"label": _PROJECT_LABEL}):
        project = container.labels.get(_PROJECT_LABEL, "")
        pid = project[len(mine):]
        if project.startswith(mine) and pid.isdigit() and not pid_alive(int(pid)):
            container.remove(force=True, v=True)
            removed.append(container.name)
    return removed


def _stderr(exc: Exception) -> str:
    output = getattr(exc, "stderr", None) or b""
    text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
    lines = [line for line in redact(text).splitlines() if line.strip()]
    return lines[-1][:300] if lines else str(exc)[:300]
