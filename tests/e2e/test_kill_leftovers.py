"""SIGKILL at random moments of a run leaves nothing behind once the next start or the
janitor has run: no app process, no PostgreSQL cluster (whose hv_ objects go with it).

The killed harness is this test's child and is deliberately not reaped before the sweep:
its pid is then a zombie, which must count as a dead owner.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import pytest

from harness.stack import procs

pytestmark = pytest.mark.stack

HEALTH = "suites/test_health.py"
KILLS = 3


def _start_slow_run(project) -> subprocess.Popen[bytes]:
    (project.path / "suites" / "test_zz_slow.py").write_text(
        "import time, pytest\n\n"
        "@pytest.mark.checklist('health')\n"
        "def test_slow(target):\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "TMPDIR": str(project.tmpdir), "REFAPP_FAULTS": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "suites/test_health.py",
         "suites/test_zz_slow.py"],
        cwd=project.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _apps_of(owner_pid: int) -> list[int]:
    return [pid for pid, marker in procs.marked_processes().items()
            if marker.partition(":")[0] == str(owner_pid) and procs.pid_alive(pid)]  # fmt: skip


def _kill_at_random(project, rng: random.Random) -> int:
    """Start a run, SIGKILL it after a random delay (start-up to mid-test), not reaped."""
    run = _start_slow_run(project)
    time.sleep(rng.uniform(0.5, 6.0))
    run.kill()
    project.killed.append(run)
    return run.pid


def _janitor(project) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(project.tmpdir)}
    return subprocess.run(
        [sys.executable, "-m", "harness", "janitor", "--target", "local"],
        cwd=project.path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def killer(project):
    project.killed = []
    yield project
    for run in project.killed:
        run.wait()


def test_janitor_sweeps_apps_and_clusters_of_killed_runs_without_a_database_url(killer):
    rng = random.Random(int(os.environ.get("HV_KILL_SEED", "14")))
    owners = [_kill_at_random(killer, rng) for _ in range(KILLS)]
    time.sleep(1)  # a migration child of a killed run may still be starting its app
    swept = _janitor(killer)
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert "janitor: removed" in swept.stdout
    assert [pid for owner in owners for pid in _apps_of(owner)] == []
    assert killer.leftover_clusters() == []


def test_the_next_start_sweeps_a_killed_runs_app_and_cluster(killer):
    owner = _start_slow_run(killer)
    deadline = time.monotonic() + 120
    while not _apps_of(owner.pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # until its app is up: the worst moment to die
    assert _apps_of(owner.pid), "the killed run never started its app"
    owner.kill()
    killer.killed.append(owner)
    result = killer.run(HEALTH)
    result.assert_outcomes(passed=1)
    assert _apps_of(owner.pid) == []
    assert killer.leftover_clusters() == []
