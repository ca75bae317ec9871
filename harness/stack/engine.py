"""The Docker engine for kind = containers: loopback-only settings, reachability, leftovers.

testcontainers decides at import time how to reach a container. On a machine that looks
like a container itself (``/.dockerenv``) it would pick the bridge gateway (172.x); the
harness only ever talks to 127.0.0.1, so the connection mode, host and Ryuk are fixed here
before testcontainers is imported, and again on its config object in case it already was.
"""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlparse

from harness.errors import ConfigError, StackError
from harness.stack.procs import pid_alive

LABEL = "io.staging-harness.owner"  # "<hostname>:<pid>" of the harness process
COMPOSE_PROJECT_PREFIX = "hv-"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
SETUP_HINT = (
    "start Docker and point DOCKER_HOST at it, or run `sudo scripts/docker-setup.sh up` "
    "(installs docker.io, starts dockerd on 127.0.0.1) and export what it prints"
)

LOOPBACK_ENV = {
    "TESTCONTAINERS_CONNECTION_MODE": "docker_host",
    "TC_HOST": "127.0.0.1",
    "TESTCONTAINERS_RYUK_DISABLED": "true",  # Ryuk's image cannot be pulled; we clean up
}


def check_docker_host(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """A DOCKER_HOST off this machine would mean talking to a non-loopback address."""
    value = environ.get("DOCKER_HOST", "")
    if not value or value.startswith(("unix://", "npipe://")):
        return
    parsed = urlparse(value)
    if parsed.scheme == "ssh" or (parsed.hostname or "") not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"DOCKER_HOST={value} is not on this machine; the harness connects to 127.0.0.1 only.",
            hint="use a local engine: unset DOCKER_HOST or point it at unix:// or tcp://127.0.0.1",
        )


def pin_loopback() -> None:
    """Set the loopback-only testcontainers settings in the environment and, if
    testcontainers is already loaded, on its configuration object too."""
    os.environ.update(LOOPBACK_ENV)
    import sys

    if "testcontainers.core.config" in sys.modules:
        from testcontainers.core.config import ConnectionMode, testcontainers_config

        testcontainers_config.tc_host_override = "127.0.0.1"
        testcontainers_config.connection_mode_override = ConnectionMode.docker_host
        testcontainers_config.ryuk_disabled = True


def import_testcontainers() -> None:
    try:
        import testcontainers.core.container  # noqa: F401
    except ImportError:
        raise StackError(
            "kind = containers needs the testcontainers package, which is not installed.",
            hint="pip install 'staging-harness[containers]' (or pip install 'testcontainers[postgres]')",
        ) from None


def connect_engine() -> Any:
    """A docker SDK client to a live engine, or one line saying what is missing."""
    import docker

    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        client = docker.from_env(timeout=15)
        client.ping()
    except Exception as exc:  # noqa: BLE001 DockerException, requests errors, OSError …
        raise StackError(
            f"no Docker engine reachable at {where} ({_short_reason(exc)}).", hint=SETUP_HINT
        ) from None
    return client


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "No such file or directory", "Permission denied"):
        if marker in text:
            return marker.lower()
    return (text.splitlines() or [type(exc).__name__])[0][:160]


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep_leftovers(client: Any) -> list[str]:
    """Remove containers a dead harness process left behind (SIGKILL, OOM, lost terminal).
    Only this host's; a live owner (a parallel run) keeps its containers."""
    removed = []
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        if _owner_dead(container.labels.get(LABEL, "")):
            container.remove(force=True, v=True)
            removed.append(container.name)
    return removed


def _owner_dead(owner: str) -> bool:
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    return not pid_alive(int(pid_text))


def remove_owned(client: Any, owner: str) -> list[str]:
    """Remove every container this harness process labelled: the last line of defence
    when a start failed half-way and no handle to the container was kept."""
    removed = []
    for container in client.containers.list(all=True, filters={"label": f"{LABEL}={owner}"}):
        container.remove(force=True, v=True)
        removed.append(container.name)
    return removed
