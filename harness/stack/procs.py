"""Process helpers shared by the stacks' leftover sweeps.

Everything the harness starts on this machine records its owner (the harness process): a
cluster folder has ``owner.pid``, a container a label, an app process the environment
variable ``OWNER_ENV``. A leftover may be removed only once its owner is dead, so a sweep
never touches another run that is still going.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

# Set in every app process's environment; the value is ``<owner pid>:<owner start time>``,
# the start time guarding against a recycled pid making a dead owner look alive.
OWNER_ENV = "STAGING_HARNESS_OWNER"
_PROC = Path("/proc")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (owned by anyone) and is not a
    zombie: a dead process nobody reaped (common where PID 1 does not reap) is dead.

    The sweeps of clusters and containers left by a killed run use it on the owner pid they
    recorded: only a dead owner's leftovers may be removed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to another user
        pass
    fields = _stat_fields(pid)
    return fields is None or fields[0] not in ("Z", "X")


def _stat_fields(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` from the state field on (the name before it may hold spaces);
    ``None`` where there is no /proc (the process then counts as alive)."""
    try:
        raw = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return raw.rpartition(")")[2].split()


def start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when unknown)."""
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else ""


def owner_marker(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{start_time(pid)}"


def owner_dead(marker: str) -> bool:
    """Whether the harness process a marker names is gone (dead, zombie, or its pid reused)."""
    pid_text, _, started = marker.partition(":")
    if not pid_text.isdigit():
        return False  # not ours to judge
    pid = int(pid_text)
    if not pid_alive(pid):
        return True
    return bool(started) and start_time(pid) not in ("", started)


def marked_processes() -> dict[int, str]:
    """Live processes carrying ``OWNER_ENV``, as ``{pid: marker}`` (readable ones only)."""
    found: dict[int, str] = {}
    prefix = f"{OWNER_ENV}=".encode()
    for entry in _PROC.glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item.startswith(prefix):
                found[int(entry.name)] = item[len(prefix) :].decode(errors="replace")
                break
    return found


def sweep_app_orphans() -> list[str]:
    """Kill app processes (and their process groups) whose harness owner is dead: uvicorn
    runs in its own session, so a SIGKILLed harness never stops it."""
    swept = []
    for pid, marker in marked_processes().items():
        if pid == os.getpid() or not owner_dead(marker) or not pid_alive(pid):
            continue
        try:
            pgid = os.getpgid(pid)
            if pgid == pid:  # a session leader we started: take its children with it
                os.killpg(pgid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
        swept.append(f"app process {pid} (owner {marker.partition(':')[0]} is gone)")
    return swept


def kill_processes_in(folder: Path) -> list[int]:
    """SIGKILL every process whose working directory is ``folder`` or below it."""
    killed = []
    folder = folder.resolve()
    for entry in _PROC.glob("[0-9]*"):
        try:
            cwd = (entry / "cwd").resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if cwd == folder or folder in cwd.parents:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    deadline = time.monotonic() + 5  # SIGKILL is asynchronous: let them stop writing
    while any(pid_alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    return killed
