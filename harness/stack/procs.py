"""Process helpers shared by the stacks' leftover sweeps."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (owned by anyone).

    The sweeps of clusters and containers left by a killed run use it on the owner pid they
    recorded: only a dead owner's leftovers may be removed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to another user
        return True
    return True
