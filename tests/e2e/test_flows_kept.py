"""ledger_app's declared flow against a stack that outlives the run (as staging does):
killed mid-flow then swept by the janitor, alongside outside traffic, with a trigger that
alters the tag, and with a table that is not there.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator

import httpx
import pytest
import tomli_w
from db_support import sql
from support import REPO

from harness.config.targets import resolve_target
from harness.flow.declare import parse_flow
from harness.flow.rows import cleanup
from harness.flow.steps import FlowContext
from harness.stack import LocalStack, StackAddresses
from harness.transport.db import make_writer

pytestmark = pytest.mark.stack

FLOWS = "suites/test_flows.py"
LEDGER = {
    "kind": "local", "alembic_ini": str(REPO / "examples/ledger_app/alembic.ini"),
    "app": {"dir": str(REPO / "examples/ledger_app"), "asgi": "ledger_app.main:app",
            "database_env": "LEDGER_DATABASE_URL"},
    "health": {"path": "/operations"},
}  # fmt: skip
FLOW = {"include": str(REPO / "flows/ledger.toml"), "poll_timeout_s": 0.5, "settle_s": 0.1}
KILL_AFTER_CREDIT = """
import os, signal
from harness.flow import steps

_send = steps.StepRunner.send

def _send_then_die(self, step, context):
    sent = _send(self, step, context)
    os.kill(os.getpid(), signal.SIGKILL)  # the run dies between crediting and cleaning up
    return sent

steps.StepRunner.send = _send_then_die
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackAddresses]:
    path = tmp_path_factory.mktemp("ledger") / "targets.toml"
    path.write_text(tomli_w.dumps({"targets": {"ledger": LEDGER}}))
    local = LocalStack(resolve_target("ledger", path))
    try:
        yield local.start(lambda _: None)
    finally:
        local.stop()


def kept(project, stack: StackAddresses, database_url: str | None = None, **flow: object) -> None:
    url = stack.database_url if database_url is None else database_url
    profile = {"kind": "remote", "base_url": stack.base_url, "database_url": url,
               "allow_writes": True, "health": {"path": "/operations"},
               "flows": {"ledger": {**FLOW, **flow}}}  # fmt: skip
    project.set_targets({"targets": {"kept": profile}})


def tagged_rows(stack: StackAddresses) -> int:
    return sql(
        stack.database_url, "SELECT count(*) FROM ledger_entries WHERE owner_id ILIKE 'hv-%'"
    )[0][0]


def janitor(project, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness", "janitor", "--target", "kept",
               "--target-file", str(project.path / "targets.toml"), *args]  # fmt: skip
    return subprocess.run(
        command, check=False, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_killed_mid_flow_then_janitor_leaves_no_tagged_row(project, stack):
    kept(project, stack)
    project.add_hook(KILL_AFTER_CREDIT)
    result = project.run(FLOWS, "--target=kept")
    assert result.ret == -signal.SIGKILL
    assert tagged_rows(stack) >= 1  # the killed run's credit is still there
    swept = janitor(project, "--ttl", "0s")
    assert swept.returncode == 0, swept.stderr
    assert (
        "flow ledger rows of run r" in swept.stdout and "row(s) of ledger_entries" in swept.stdout
    )
    assert tagged_rows(stack) == 0


class OutsideTraffic(threading.Thread):
    """Untagged credits at about ``rate`` per second on 127.0.0.1; stops when told or after
    ``limit`` requests, whichever comes first."""

    def __init__(self, base_url: str, rate: float = 50, limit: int = 6000) -> None:
        super().__init__(daemon=True)
        self.base_url, self.interval, self.limit = base_url, 1 / rate, limit
        self.stop = threading.Event()
        self.sent = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            while not self.stop.is_set() and self.sent < self.limit:
                started = time.monotonic()
                n = self.sent
                client.post("/ledger", json={"operation": "daily_login", "amount": 1,
                                             "nonce": f"outside-{time.time_ns()}-{n}", "owner_id": f"outside-{n % 7}"})  # fmt: skip
                self.sent += 1
                self.stop.wait(max(0.0, self.interval - (time.monotonic() - started)))


def test_outside_writes_during_the_run_stay_green(project, stack):
    kept(project, stack)
    traffic = OutsideTraffic(stack.base_url)
    traffic.start()
    started = time.monotonic()
    try:
        result = project.run(FLOWS, "--target=kept")
    finally:
        traffic.stop.set()
        traffic.join(timeout=10)
    result.assert_outcomes(passed=2)
    assert traffic.sent / (time.monotonic() - started) >= 25  # the outside writes really ran
    assert tagged_rows(stack) == 0


def test_a_trigger_that_upper_cases_the_tag_does_not_hide_the_rows(stack):
    url = stack.database_url
    sql(url, "CREATE FUNCTION hv_upper() RETURNS trigger LANGUAGE plpgsql AS "
             "$$ BEGIN NEW.owner_id := upper(NEW.owner_id); NEW.nonce := upper(NEW.nonce); RETURN NEW; END $$",
        "CREATE TRIGGER hv_upper BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION hv_upper()")  # fmt: skip
    try:
        spec = parse_flow(
            "ledger", tomllib.loads((REPO / "flows/ledger.toml").read_text()), "flows.ledger"
        )
        context = FlowContext("hv-r20261123t000000zz-gw9-1", {})
        with httpx.Client(base_url=stack.base_url) as client:
            answer = client.post("/ledger", json={"operation": "referral", "amount": 25,
                                                  "nonce": "hv-r20261123t000000zz-gw9-1-n", "owner_id": context.run_tag})  # fmt: skip
        context.capture("entry_id", answer.json()["id"])
        engine = make_writer(url)  # cleanup deletes: the writing engine
        result = cleanup(
            engine, spec, "hv-r20261123t000000zz-gw9-", [context], {"ledger_entries": 0}
        )
        engine.dispose()
        assert result.ok, result.summary
        assert result.evidence["removed"] == {"ledger_entries": 1}
    finally:
        sql(url, "DROP TRIGGER hv_upper ON ledger_entries", "DROP FUNCTION hv_upper()")


def test_a_declared_table_that_is_not_there_is_one_config_line_exit_4(project, stack):
    kept(project, stack, rows=[{"table": "ledger_entriez", "tag_columns": ["owner_id"]}])
    result = project.run(FLOWS, "--target=kept")
    assert result.ret == 4
    result.stdout.fnmatch_lines(
        ["*rows (ledger_entriez): table 'ledger_entriez' does not exist in the target database*"]
    )
    assert "Traceback" not in result.stdout.str() and "psycopg" not in result.stdout.str()


def test_without_a_database_the_flow_is_judged_over_http(project, stack):
    kept(project, stack, database_url="")
    result = project.run(FLOWS, "--target=kept")
    result.assert_outcomes(passed=2)
    checks = [c for t in project.results()["tests"] for c in t["checks"]]
    cleanup = [c for c in checks if c["item"] == "cleanup"]
    assert cleanup and all("not cleaned up" in c["summary"] for c in cleanup)
    kept(project, stack)  # the janitor needs the database: give it back
    swept = janitor(project, "--ttl", "0s")
    assert swept.returncode == 0, swept.stderr
    assert tagged_rows(stack) == 0
