"""Shared helpers for the harness's own tests."""

from __future__ import annotations

import os

# httpx imports httpcore lazily, at its first request. A test that uses pytester and makes
# the first request of the session would leave httpcore out of the sys.modules snapshot that
# pytester restores afterwards: the next request then meets a second httpcore whose
# ConnectError httpx no longer maps, and a stack fixture's readiness wait dies on the first
# "connection refused". Importing it here puts it in every snapshot.
import httpcore  # noqa: F401
import pytest

from harness import secrets

# Most of the time goes to tests that each start a real stack, so pytest.ini runs them in
# parallel (-n auto). One worker more than there are cores: a stack spends part of its life
# waiting (PostgreSQL's start, the app's readiness, a flow's polls), and on the 2-core dev
# machine 3 workers took 8 min 39 s where 2 took 9 min 38 s. Past 8 workers the stacks'
# memory grows faster than the time falls. PYTEST_XDIST_AUTO_NUM_WORKERS, -n N or -n 0
# choose otherwise.
MAX_AUTO_WORKERS = 8


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return max(1, min((os.cpu_count() or 1) + 1, MAX_AUTO_WORKERS))


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    secrets.forget_all()
    yield
    secrets.forget_all()


from support import project  # noqa: E402, F401  (fixture shared by the fault tests)
