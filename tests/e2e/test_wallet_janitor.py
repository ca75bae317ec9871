"""A wallet run killed mid-flow leaves tagged rows; the janitor removes them and gives the
system wallet back what they took. The stack here outlives the killed run (as a staging
database does), so it is started by this module and the run talks to it as a remote target.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from support import REPO

from harness.config.targets import resolve_target
from harness.flow import db as wallet_db
from harness.flow.api import Tagger, WalletApi
from harness.flow.config import WalletSpec, WalletTables
from harness.plugin.session import make_run_id
from harness.stack import LocalStack, StackAddresses
from harness.transport.db import make_engine
from harness.transport.http import HttpClient
from harness.transport.liveness import RunLock

pytestmark = pytest.mark.stack

TABLES = WalletTables()
KILL_AFTER_COMPLETION = """
import os, signal
from harness.flow import api as wallet_api

_complete = wallet_api.WalletApi.complete

def _complete_then_die(self, task_id):
    response = _complete(self, task_id)
    os.kill(os.getpid(), signal.SIGKILL)  # the run dies between paying and cleaning up
    return response

wallet_api.WalletApi.complete = _complete_then_die
"""


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


def all_tagged(engine: Engine) -> dict:
    """The fingerprint with every harness-tagged row counted as "own"."""
    return wallet_db.fingerprint(engine, TABLES, "hv-")


def janitor(project, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness", "janitor", "--target", "kept",
               "--target-file", str(project.path / "targets.toml"), *args]  # fmt: skip
    return subprocess.run(command, check=False, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_run_killed_mid_flow_then_janitor_leaves_no_tagged_row(project, stack, engine):
    kept = {"kind": "remote", "base_url": stack.base_url, "database_url": stack.database_url,
            "allow_writes": True}  # fmt: skip
    project.set_targets({"targets": {"kept": kept}})
    project.add_hook(KILL_AFTER_COMPLETION)
    before = all_tagged(engine)
    result = project.run("suites/test_wallet_reward.py::test_completion_credits_bounty", "--target=kept")
    assert result.ret == -signal.SIGKILL
    left = all_tagged(engine)
    assert left["own_tagged_rows"] == 2  # the killed run's user and task are still there
    assert left["balance_sum"] == before["balance_sum"]  # a transfer happened, none undone

    swept = janitor(project, "--ttl", "0s")
    assert swept.returncode == 0, swept.stderr
    assert "removed wallet flow rows of run r" in swept.stdout
    assert "2 ledger_entries" in swept.stdout
    assert all_tagged(engine) == before  # no tagged row; system wallet restored


def test_janitor_keeps_live_runs_and_legacy_runs_younger_than_the_ttl(project, stack, engine):
    """A run that holds its liveness lock is kept whatever its age; a dead one goes at once;
    a run id without the lock mark (an older harness) goes only past the TTL."""
    project.set_targets({"targets": {"kept": {"kind": "remote", "base_url": stack.base_url,
                                              "database_url": stack.database_url}}})  # fmt: skip
    before = all_tagged(engine)
    now = datetime.now(UTC)
    legacy_old, legacy_young = make_run_id(now - timedelta(hours=7))[:-1], make_run_id(now)[:-1]
    live, dead = make_run_id(now - timedelta(hours=7)), make_run_id(now)
    with HttpClient(stack.base_url) as client:
        api = WalletApi(client, WalletSpec(settle_s=0))
        for run_id in (legacy_old, legacy_young, live, dead):
            paid_flow(api, Tagger(run_id, "gw0"))
    lock = RunLock(stack.database_url, live)
    lock.acquire()
    try:
        assert janitor(project).returncode == 0  # default TTL 6h
        assert wallet_db.tagged_run_ids(engine, TABLES) == sorted([legacy_young, live])
        swept = janitor(project, "--ttl", "0s")
        assert legacy_young in swept.stdout and live not in swept.stdout
        assert wallet_db.tagged_run_ids(engine, TABLES) == [live]
    finally:
        lock.release()
    assert live in janitor(project).stdout  # its lock is free now: dead
    assert all_tagged(engine) == before


def paid_flow(api: WalletApi, tags: Tagger) -> None:
    tag = tags.next()
    user_id, task_id = api.create_user(tag), api.create_task(tag)
    api.accept(task_id, user_id)
    assert api.complete(task_id).status_code == 200
