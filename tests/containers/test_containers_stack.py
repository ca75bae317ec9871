"""--target=containers end to end: a real Docker engine, PostgreSQL in a container, the app.

Skipped (with the reason) where no engine answers. Every test ends by asserting that no
container labelled by a harness process is left, whatever the run's outcome.
"""

from __future__ import annotations

import os
import socket

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from support import REPO

from harness.stack import engine

pytestmark = pytest.mark.stack

HEALTH = "suites/test_health.py"
DOWNGRADE_ONE = """
import os, subprocess, sys

def pytest_harness_stack_ready(config, target, addresses):
    # The DB one revision behind the scripts, after the harness migrated it to head.
    env = dict(os.environ, DATABASE_URL=addresses.database_url)
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", "downgrade", "-1"],
        cwd=target.app.dir, env=env, check=True, capture_output=True,
    )
"""


def harness_containers(client) -> list[str]:
    """Containers labelled by any harness process (these tests run one at a time)."""
    return [c.name for c in client.containers.list(all=True, filters={"label": engine.LABEL})]


def script_head() -> str:
    ini = REPO / "examples/reference_app/alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def test_healthy_stack_is_green_and_sweeps_a_killed_runs_leftover(project, docker_client):
    image = os.environ.get("HARNESS_PG_IMAGE", "pgvector/pgvector:pg17")
    dead_owner = f"{socket.gethostname()}:{2**22 + 4242}"  # above pid_max: never alive
    leftover = docker_client.containers.create(image, labels={engine.LABEL: dead_owner})
    result = project.run(HEALTH, "--target=containers")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*removed 1 container(s) left by a killed run*"])
    data = project.results()
    assert data["status"] == "passed"
    assert data["target"]["name"] == "containers"
    assert data["target"]["database_url"].startswith("postgresql+psycopg://harness:***@127.0.0.1:")
    assert leftover.name not in harness_containers(docker_client)
    assert harness_containers(docker_client) == []


@pytest.mark.parametrize("kind", ["local", "containers"])
def test_no_report_leaves_no_temporary_app_log(project, docker_client, kind):
    """Without a report folder the app's log goes to a temp folder, removed at the end."""
    result = project.run(HEALTH, f"--target={kind}", "--no-report")
    result.assert_outcomes(passed=1)
    assert not list(project.tmpdir.glob("hv-app-log-*"))
    assert harness_containers(docker_client) == []


def test_db_one_revision_behind_fails_the_same_item_as_on_local(project, docker_client):
    head = script_head()
    expect = {"health": {"expect": {"status": "ok", "revision": head}}}
    project.set_targets({"targets": {"local": expect, "containers": expect}})
    project.add_hook(DOWNGRADE_ONE)
    failures = {}
    for name in ("local", "containers"):
        result = project.run(HEALTH, f"--target={name}")
        result.assert_outcomes(failed=1)
        message = project.results()["tests"][0]["message"]
        assert f'"revision": "{head}"' in message and "does not match" in message
        failures[name] = (project.failed_items(), message.splitlines()[0])  # no port/latency
    assert failures["containers"] == failures["local"]
    assert failures["containers"][0] == {"health"}
    assert harness_containers(docker_client) == []  # also after a failing test


def test_failed_start_and_ctrl_c_leave_no_container(project, docker_client):
    broken = {"app": {"migrate": ["{python}", "-c", "raise SystemExit(3)"]}}
    project.set_targets({"targets": {"containers": broken}})
    result = project.run(HEALTH, "--target=containers")
    # A failing migration is the app's to fix, not a retry (issue 11): exit 4, as on local.
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*CONFIGURATION ERROR*migrate command failed (exit 3)*"])
    assert harness_containers(docker_client) == []

    project.set_targets({})
    project.add_hook(
        """
        def pytest_harness_stack_ready(config, target, addresses):
            raise KeyboardInterrupt  # Ctrl-C once the container is up
        """
    )
    result = project.run(HEALTH, "--target=containers")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert harness_containers(docker_client) == []


def test_missing_image_that_cannot_be_pulled_names_the_local_build(docker_client):
    from dataclasses import replace

    from harness.config.targets import resolve_target
    from harness.errors import StackError
    from harness.stack.containers import ContainersStack

    target = resolve_target("containers", REPO / "targets.toml")
    target = replace(target, raw={**target.raw, "image": "hv-no-such-image:0"})
    stack = ContainersStack(target)
    with pytest.raises(StackError) as caught:
        stack.start(lambda _: None)
    line = caught.value.one_line()
    assert "image hv-no-such-image:0 is not on the Docker engine and could not be pulled" in line
    assert "scripts/docker-setup.sh up" in line and "HARNESS_PG_IMAGE=hv-pgvector:17" in line
    assert harness_containers(docker_client) == []
