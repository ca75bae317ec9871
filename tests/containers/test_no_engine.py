"""kind = containers without a Docker engine, and its configuration: no engine needed.

Without an engine the run is blocked (exit 75, README's code for "the stack could not be
brought up") with one line naming what is missing and how to get it, never a traceback.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import EXIT_BLOCKED, REPO

from harness.config.targets import resolve_target
from harness.errors import ConfigError, StackError
from harness.stack import engine, make_stack, validate_stack_config
from harness.stack.compose import ComposeSettings, project_name
from harness.stack.containers import DEFAULT_IMAGE, ContainersSettings, ContainersStack

HEALTH = "suites/test_health.py"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def containers_target(environ: dict[str, str] | None = None, **overrides: object):
    env = {"PATH": os.environ.get("PATH", ""), **(environ or {})}
    target = resolve_target("containers", REPO / "targets.toml", environ=env)
    if overrides:
        from dataclasses import replace

        target = replace(target, raw={**target.raw, **overrides})
    return target


def test_default_image_and_env_override():
    assert ContainersSettings.from_target(containers_target()).image == DEFAULT_IMAGE
    local = containers_target({"HARNESS_PG_IMAGE": "hv-pgvector:17"})
    assert ContainersSettings.from_target(local).image == "hv-pgvector:17"


def test_no_engine_is_one_stack_error_naming_the_fix(monkeypatch):
    port = closed_port()
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
    stack = make_stack(containers_target())
    assert isinstance(stack, ContainersStack)
    with pytest.raises(StackError) as caught:
        stack.start(lambda _: None)
    line = caught.value.one_line()
    assert f"no Docker engine reachable at tcp://127.0.0.1:{port} (connection refused)" in line
    assert "scripts/docker-setup.sh up" in line and "\n" not in line


def test_loopback_settings_are_pinned_before_testcontainers(monkeypatch):
    for name in engine.LOOPBACK_ENV:
        monkeypatch.delenv(name, raising=False)
    engine.pin_loopback()
    assert os.environ["TESTCONTAINERS_CONNECTION_MODE"] == "docker_host"
    assert os.environ["TC_HOST"] == "127.0.0.1"
    assert os.environ["TESTCONTAINERS_RYUK_DISABLED"] == "true"
    from testcontainers.core.config import ConnectionMode, testcontainers_config

    assert testcontainers_config.tc_host_override == "127.0.0.1"
    assert testcontainers_config.connection_mode_override is ConnectionMode.docker_host
    assert testcontainers_config.ryuk_disabled


@pytest.mark.parametrize("host", ["tcp://172.17.0.1:2375", "ssh://user@build-box", "tcp://10.0.0.5:2376"])
def test_non_loopback_docker_host_is_a_config_error(host):
    with pytest.raises(ConfigError, match=r"connects to 127\.0\.0\.1 only"):
        engine.check_docker_host({"DOCKER_HOST": host})


@pytest.mark.parametrize("host", ["", "unix:///tmp/hv-docker/docker.sock", "tcp://127.0.0.1:2375"])
def test_loopback_docker_hosts_are_fine(host):
    engine.check_docker_host({"DOCKER_HOST": host})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"image": ""}, "targets.containers.image: expected an image name"),
        ({"compose_file": "nowhere/compose.yml"}, "compose_file: "),
        ({"compose_file": 3}, "compose_file: expected a path"),
    ],
)
def test_bad_profile_keys_are_config_errors(raw, message):
    with pytest.raises(ConfigError, match=message):
        validate_stack_config(containers_target(**raw))


def test_compose_section_is_validated(tmp_path: Path):
    compose = tmp_path / "compose.yml"
    compose.write_text("services: {}\n")
    good = containers_target(
        compose_file=str(compose),
        compose={"app_service": "web", "app_port": 80, "db_service": "db",
                 "database_url": "postgresql://u:p@{host}:{port}/d"},
    )  # fmt: skip
    assert ContainersSettings.from_target(good).compose_file == compose
    assert ComposeSettings.from_target(good).app_service == "web"
    for bad, message in [
        ({"app_prot": 80}, "unknown key 'app_prot'"),
        ({"app_port": "80"}, "app_port: expected a port number"),
        ({"db_service": "db"}, "db_service is set but database_url is not"),
    ]:
        with pytest.raises(ConfigError, match=message):
            validate_stack_config(containers_target(compose_file=str(compose), compose=bad))


def test_sweep_removes_only_containers_of_dead_owners_on_this_host():
    removed: list[str] = []

    def fake(name: str, owner: str) -> SimpleNamespace:
        return SimpleNamespace(
            name=name, labels={engine.LABEL: owner}, remove=lambda **_: removed.append(name)
        )

    host = socket.gethostname()
    dead_pid = 2**22 + 12345  # above the default pid_max, so never alive
    containers = [
        fake("mine-alive", f"{host}:{os.getpid()}"),
        fake("dead-owner", f"{host}:{dead_pid}"),
        fake("other-host", f"elsewhere:{dead_pid}"),
    ]
    client = SimpleNamespace(containers=SimpleNamespace(list=lambda **_: containers))
    assert engine.sweep_leftovers(client) == ["dead-owner"]
    assert removed == ["dead-owner"]


def test_compose_project_is_named_after_this_process():
    name = project_name()
    assert name.startswith("hv-") and name.endswith(f"-{os.getpid()}")


def test_no_engine_run_is_blocked_with_one_line(project):
    port = closed_port()
    result = project.run(HEALTH, "--target=containers", env={"DOCKER_HOST": f"tcp://127.0.0.1:{port}"})
    assert result.ret == EXIT_BLOCKED
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    result.stdout.fnmatch_lines(
        [f"harness: BLOCKED: no Docker engine reachable at tcp://127.0.0.1:{port} (connection refused)."
         " Hint: start Docker*scripts/docker-setup.sh up*"]
    )  # fmt: skip
    data = project.results()
    assert data["status"] == "blocked" and data["counts"]["blocked"] == 1


def test_remote_docker_host_stops_the_run_as_usage_error(project):
    result = project.run(HEALTH, "--target=containers", env={"DOCKER_HOST": "tcp://172.17.0.1:2375"})
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: DOCKER_HOST=tcp://172.17.0.1:2375 is not on this machine*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
