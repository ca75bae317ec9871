"""kind = containers: PostgreSQL (with pgvector) from testcontainers, the app as for local.

Profile keys (top level of ``[targets.NAME]``):

* ``image``: the PostgreSQL image (default ``pgvector/pgvector:pg17``). Where no registry
  is reachable, ``scripts/docker-setup.sh`` builds ``hv-pgvector:17`` from Debian packages;
  the shipped targets.toml reads ``${HARNESS_PG_IMAGE:-pgvector/pgvector:pg17}``.
* ``compose_file``: bring the whole stack up with docker compose instead (see
  ``harness.stack.compose``); relative paths are from the directory pytest runs in.

Only loopback: ports are published on 127.0.0.1 and testcontainers is pinned to it (see
``harness.stack.engine``). Every container is labelled with this process; ``stop`` removes
them (normal end, Ctrl-C, failing test, failed start) and the next start sweeps what a
killed run left.
"""

from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config.targets import Target
from harness.errors import ConfigError, HarnessError, StackError, first_line
from harness.secrets import redact, register_secret
from harness.stack.addresses import StackAddresses
from harness.stack.app import AppProcess, MigrationsDiverged, launch_app, log_file
from harness.stack.engine import (
    LABEL,
    check_docker_host,
    connect_engine,
    import_testcontainers,
    owner_label,
    pin_loopback,
    remove_owned,
    sweep_leftovers,
)  # fmt: skip
from harness.stack.mapping import MappingProbe
from harness.transport.wait import Progress

DEFAULT_IMAGE = "pgvector/pgvector:pg17"
LOCAL_IMAGE_HINT = (
    "without a registry, build one here: `sudo scripts/docker-setup.sh up`, then "
    "export HARNESS_PG_IMAGE=hv-pgvector:17 (targets.toml reads it)"
)
DB_USER = DB_NAME = "harness"
# Throwaway data, as for the embedded server; listen_addresses because the published port
# reaches the server through the container's own interface, not its loopback.
PG_COMMAND = (
    "postgres -c listen_addresses=* -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
)


@dataclass(frozen=True)
class ContainersSettings:
    image: str = DEFAULT_IMAGE
    compose_file: Path | None = None

    @classmethod
    def from_target(cls, target: Target) -> ContainersSettings:
        """Validate the profile's keys (configure time: a mistake is exit 4)."""
        where = f"targets.{target.name}"
        image = target.raw.get("image", DEFAULT_IMAGE)
        if not isinstance(image, str) or not image.strip():
            raise ConfigError(
                f"{where}.image: expected an image name, got {image!r}.",
                hint=f'e.g. image = "{DEFAULT_IMAGE}"',
            )
        compose = target.raw.get("compose_file")
        if compose is not None and (not isinstance(compose, str) or not compose.strip()):
            raise ConfigError(f"{where}.compose_file: expected a path, got {compose!r}.")
        compose_path = Path(compose).expanduser().resolve() if compose else None
        if compose_path is not None and not compose_path.is_file():
            raise ConfigError(
                f"{where}.compose_file: {compose_path} does not exist.", hint="fix the path"
            )
        if compose_path is None and target.app is None:
            raise ConfigError(f"{where}: kind = containers needs [app] or compose_file.")
        if compose_path is not None:
            from harness.stack.compose import ComposeSettings

            ComposeSettings.from_target(target)
        check_docker_host()
        return cls(image=image.strip(), compose_file=compose_path)


class ContainersStack:
    """Same interface as ``LocalStack``: ``start(progress) -> StackAddresses``, ``stop()``."""

    def __init__(self, target: Target, log_dir: Path | None = None, with_app: bool = True) -> None:
        self.target = target
        self.log_dir = log_dir
        self.with_app = with_app  # a compose file runs its whole stack regardless
        self.settings = ContainersSettings.from_target(target)
        self.owner = owner_label()
        self.client: Any = None
        self.postgres: Any = None
        self.compose: Any = None
        self.app: AppProcess | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="hv-tc-"))
        atexit.register(self.stop)  # last resort if the session never reaches teardown

    def start(self, progress: Progress) -> StackAddresses:
        try:
            pin_loopback()
            import_testcontainers()
            progress("connecting to the Docker engine")
            self.client = connect_engine()
            swept = sweep_leftovers(self.client)
            if swept:
                progress(f"removed {len(swept)} container(s) left by a killed run: {swept}")
            if self.settings.compose_file is not None:
                return self._start_compose(progress)
            return self._start_postgres_and_app(progress)
        except HarnessError:
            self.stop()
            raise
        except Exception as exc:  # noqa: BLE001 the engine's own errors (API, transport): one line
            self.stop()
            raise StackError(
                f"the containers stack could not be started: {type(exc).__name__}: {_first_line(exc)}",
                hint="check the engine with `docker info`; its log says more",
            ) from None
        except BaseException:  # Ctrl-C half-way: nothing may be left running
            self.stop()
            raise

    def _start_postgres_and_app(self, progress: Progress) -> StackAddresses:
        assert self.target.app is not None
        timings: dict[str, float] = {}
        mark = time.perf_counter()
        database_url = self._start_postgres(progress)
        timings["postgres_start"] = time.perf_counter() - mark
        try:
            self.app = launch_app(
                self.target.app, self.target.health.path, database_url,
                log_file(self.log_dir), progress, timings, serve=self.with_app,
                mapping=MappingProbe.for_target(self.target, database_url),
            )  # fmt: skip
        except MigrationsDiverged as stopped:  # judged by migration-head, nothing else
            progress(stopped.message)
            return StackAddresses("", database_url, timings, migrate_stopped=stopped.message)
        return StackAddresses(self.app.base_url if self.app else "", database_url, timings,
                              app_log=str(self.app.log_path) if self.app else "")  # fmt: skip

    def _start_postgres(self, progress: Progress) -> str:
        image = self.settings.image
        self._ensure_image(image, progress)
        password = secrets.token_urlsafe(18)
        register_secret(password)
        container = _postgres_container(image, password)
        container.ports["5432"] = ("127.0.0.1",)  # publish on loopback only, random port
        container.with_kwargs(labels={LABEL: self.owner})
        container.with_command(PG_COMMAND)
        self.postgres = container
        progress(f"starting PostgreSQL from {image}")
        try:
            container.start()
        except Exception as exc:  # noqa: BLE001 readiness raises what it met: one line, blocked
            raise StackError(
                f"PostgreSQL container from {image} did not become ready: {_first_line(exc)}",
                log_tail=redact(_container_logs(container)),
                hint="see the container log above; the image must contain psql (readiness runs it)",
            ) from None
        port = _loopback_port(self.client, container.get_container_id(), 5432)
        return f"postgresql://{DB_USER}:{password}@127.0.0.1:{port}/{DB_NAME}"

    def _ensure_image(self, image: str, progress: Progress) -> None:
        import docker.errors

        try:
            self.client.images.get(image)
            return
        except docker.errors.ImageNotFound:
            pass
        progress(f"pulling {image}")
        try:
            self.client.images.pull(image)
        except Exception as exc:  # noqa: BLE001 API, registry, transport: one line, blocked
            raise StackError(
                f"image {image} is not on the Docker engine and could not be pulled "
                f"({_first_line(exc)}).",
                hint=LOCAL_IMAGE_HINT,
            ) from None

    def _start_compose(self, progress: Progress) -> StackAddresses:
        from harness.stack.compose import ComposeStack

        assert self.settings.compose_file is not None
        compose = ComposeStack(self.target, self.settings.compose_file, self.owner)
        self.compose = compose
        return compose.start(self.client, progress)

    def stop(self) -> None:
        """Idempotent; each step runs even if an earlier one failed."""
        _quietly(self.app.stop if self.app else None)
        if self.app is not None and self.log_dir is None:  # an app that came up: no hint names it
            shutil.rmtree(self.app.log_path.parent, ignore_errors=True)
        _quietly(self.postgres.stop if self.postgres else None)
        _quietly(self.compose.stop if self.compose else None)
        if self.client is not None:
            _quietly(lambda: remove_owned(self.client, self.owner))
            _quietly(self.client.close)
        self.app = self.postgres = self.compose = self.client = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def _postgres_container(image: str, password: str) -> Any:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:  # testcontainers < 4.14 kept it at the top level
        from testcontainers.postgres import PostgresContainer
    return PostgresContainer(
        image, username=DB_USER, password=password, dbname=DB_NAME, driver=None
    )


def _loopback_port(client: Any, container_id: str, port: int) -> int:
    """The published port, refusing any binding that is not loopback."""
    bindings = client.api.port(container_id, port) or []
    for binding in bindings:
        if binding.get("HostIp") in ("127.0.0.1", "::1"):
            return int(binding["HostPort"])
    raise StackError(
        f"the container's port {port} is not published on 127.0.0.1 (bindings: {bindings}).",
        hint="the harness connects to loopback only; check the engine's --ip setting",
    )


def _container_logs(container: Any) -> str:
    try:
        stdout, stderr = container.get_logs()
        logs: bytes = stdout + stderr
        return logs.decode(errors="replace")[-3000:]
    except Exception:  # noqa: BLE001 the log only adds to a message already being raised
        return ""


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, HarnessError):
        return exc.message
    return first_line(exc)[:200]


def _quietly(step: Any) -> None:
    """Teardown must reach every step: a failure in one is not allowed to skip the rest."""
    if step is None:
        return
    try:
        step()
    except Exception:  # noqa: BLE001 one failed step must not skip the rest of teardown
        pass
