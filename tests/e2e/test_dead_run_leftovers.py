"""Two write-mode runs share one database; one is SIGKILLed. The next run sweeps the dead
run's throwaway schema and tagged rows at its start — not after the 6 h TTL — and leaves the
live run's alone, which then finishes and cleans up after itself.

Real processes and a real PostgreSQL: the shared database outlives the runs (as staging's
does), so this module starts the stack and the runs talk to it as a remote target. Each run
makes its ``hv_`` schema (pgvector-usable), then pays a wallet reward and pauses right after
(tagged user, task, wallet, ledger rows in the app's tables) until the test lets it go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from support import REPO

from harness.config.targets import resolve_target
from harness.flow import db as wallet_db
from harness.flow.config import WalletTables
from harness.stack import LocalStack, StackAddresses
from harness.transport.db import make_engine, make_writer
from harness.transport.liveness import Liveness

pytestmark = pytest.mark.stack

PAUSE_AFTER_PAYING = """
import os, time
from pathlib import Path
import pytest
from harness.flow import api as wallet_api
from harness.plugin.session import get_state

_config = []

def pytest_configure(config):
    _config.append(config)

_complete = wallet_api.WalletApi.complete

def _complete_then_pause(self, task_id):
    response = _complete(self, task_id)
    pause = Path(os.environ["HV_PAUSE_DIR"])
    (pause / f"{os.getpid()}.ready").write_text(get_state(_config[0]).run_id)
    deadline = time.monotonic() + 600
    while not (pause / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return response

wallet_api.WalletApi.complete = _complete_then_pause
"""
WRITING = ("suites/test_database.py::test_pgvector_works_in_a_throwaway_schema",
           "suites/test_wallet_reward.py::test_completion_credits_bounty")  # fmt: skip
TABLES = WalletTables()


@pytest.fixture(scope="module")
def stack() -> Iterator[StackAddresses]:
    local = LocalStack(resolve_target("local", REPO / "targets.toml"))
    try:
        yield local.start(lambda _: None)
    finally:
        local.stop()


@pytest.fixture
def engine(stack: StackAddresses) -> Iterator[Engine]:
    engine = make_engine(stack.database_url)
    yield engine
    engine.dispose()


def start_run(project, pause: Path, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TMPDIR": str(project.tmpdir), "REFAPP_FAULTS": "", "HV_PAUSE_DIR": str(pause)}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", *WRITING, "--target=kept",
         "--report-dir", str(project.path / f"reports-{name}")],
        cwd=project.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_paused(pause: Path, runs: list[subprocess.Popen[bytes]]) -> dict[int, str]:
    """Each run's id, once it has made its schema and rows and paused."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready = {run.pid: (pause / f"{run.pid}.ready") for run in runs}
        if all(path.exists() for path in ready.values()):
            return {pid: path.read_text() for pid, path in ready.items()}
        assert all(run.poll() is None for run in runs), "a run ended before it paused"
        time.sleep(0.2)
    raise AssertionError("the runs did not reach their pause")


def leftovers(engine: Engine, run_id: str) -> dict[str, int]:
    """The run's schema (0/1) and its tagged users and tasks."""
    rows = wallet_db.fingerprint(engine, TABLES, f"hv-{run_id}-")["own_tagged_rows"]
    with engine.connect() as connection:
        schemas = connection.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = :n"),
                                     {"n": f"hv_{run_id}_main"}).scalar_one()  # fmt: skip
    return {"schema": int(schemas), "tagged_rows": int(rows)}


def wait_dead(url: str, run_id: str) -> None:
    """Until the server has ended the killed run's sessions (its lock is free)."""
    writer = make_writer(url)
    try:
        deadline = time.monotonic() + 60
        while not Liveness(writer).dead(run_id):
            assert time.monotonic() < deadline, "the killed run's lock was never released"
            time.sleep(0.2)
    finally:
        writer.dispose()


def test_the_next_run_sweeps_a_killed_runs_leftovers_and_not_a_live_ones(project, stack, engine, tmp_path):
    project.set_targets({"targets": {"kept": {"kind": "remote", "base_url": stack.base_url,
                                              "database_url": stack.database_url, "allow_writes": True}}})  # fmt: skip
    project.add_hook(PAUSE_AFTER_PAYING)
    before = wallet_db.fingerprint(engine, TABLES, "hv-")
    doomed, live = start_run(project, tmp_path, "doomed"), start_run(project, tmp_path, "live")
    try:
        ids = wait_paused(tmp_path, [doomed, live])
        dead_id, live_id = ids[doomed.pid], ids[live.pid]
        assert leftovers(engine, dead_id) == leftovers(engine, live_id) == {"schema": 1, "tagged_rows": 2}
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=60) == -signal.SIGKILL
        wait_dead(stack.database_url, dead_id)

        nxt = project.run("suites/test_health.py", "--target=kept", "--report-dir", str(project.path / "reports-next"))
        out = nxt.stdout.str()
        assert f"janitor removed schema hv_{dead_id}_main (run {dead_id}" in out and "its run is dead" in out
        assert f"wallet flow rows of run {dead_id} (its run is dead)" in out
        assert live_id not in out
        assert leftovers(engine, dead_id) == {"schema": 0, "tagged_rows": 0}
        assert leftovers(engine, live_id) == {"schema": 1, "tagged_rows": 2}  # untouched
    finally:
        (tmp_path / "go").write_text("")
        for run in (doomed, live):
            if run.poll() is None:
                run.wait(timeout=300)
    assert live.returncode == 0  # the live run went on, passed and cleaned up after itself
    assert leftovers(engine, live_id) == {"schema": 0, "tagged_rows": 0}
    assert wallet_db.fingerprint(engine, TABLES, "hv-") == before  # the system wallet got it all back
