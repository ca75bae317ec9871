"""Owner markers and the app-process sweep, on real processes (no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from harness.stack import procs


def _child(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"],
        env={**os.environ, **env}, start_new_session=True,
    )  # fmt: skip


def _wait_gone(proc: subprocess.Popen[bytes]) -> int | None:
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        return None


def test_a_zombie_counts_as_dead():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while procs._stat_fields(child.pid) and procs._stat_fields(child.pid)[0] != "Z":
        time.sleep(0.05)  # exited, not yet reaped by us: a zombie
    assert not procs.pid_alive(child.pid)
    assert procs.owner_dead(procs.owner_marker(child.pid))
    child.wait()
    assert not procs.pid_alive(child.pid)
    assert procs.pid_alive(os.getpid()) and not procs.owner_dead(procs.owner_marker())


def test_a_recycled_owner_pid_is_dead():
    assert procs.owner_dead(f"{os.getpid()}:1")  # same pid, other start time


def test_sweep_kills_apps_of_a_dead_owner_only():
    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    orphan = _child({procs.OWNER_ENV: procs.owner_marker(dead_owner.pid)})
    mine = _child({procs.OWNER_ENV: procs.owner_marker()})
    unmarked = _child({})
    try:
        deadline = time.monotonic() + 30  # the children's environ is readable once exec'd
        while orphan.pid not in procs.marked_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        swept = procs.sweep_app_orphans()
        assert any(f"app process {orphan.pid} " in line for line in swept), swept
        assert _wait_gone(orphan) is not None
        assert mine.poll() is None and unmarked.poll() is None
    finally:
        for proc in (orphan, mine, unmarked):
            proc.kill()
            proc.wait()


def test_processes_working_in_a_folder_are_killed(tmp_path):
    inside = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], cwd=tmp_path)
    outside = _child({})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and inside.pid not in procs.kill_processes_in(tmp_path):
            time.sleep(0.05)  # until the child has its cwd
        assert _wait_gone(inside) is not None and outside.poll() is None
    finally:
        for proc in (inside, outside):
            proc.kill()
            proc.wait()
