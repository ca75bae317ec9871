"""Ctrl-C mid-run (issue 25, points 16–18): the running test is interrupted, never failed or
missing; the flow's rows are removed; a signal during teardown still ends in a report.

The signal goes to the real pytest process at a chosen moment: a hook in the project's
conftest finds that moment (the flow's database read waiting on the server, the stack about
to stop, the flow's cleanup starting) and sends it from there, never after a sleep. Just
before the stack stops, the hook counts the rows the flow tagged (they must be gone).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

HOOKS = """
import os, signal, threading
from pathlib import Path
from sqlalchemy import create_engine, text
import harness.flow.db as flow_db
from harness.plugin.session import HarnessState

MOMENT = os.environ.get("HV_SIGNAL_AT", "")
_sent = []
_urls = []


def _send(where):
    if not _sent:
        _sent.append(where)
        Path(os.environ["HV_SENT_FILE"]).write_text(where)
        if os.environ.get("HV_SIGNAL_GROUP"):  # as a terminal's Ctrl-C: the whole group
            os.killpg(os.getpgid(0), signal.SIGINT)
        else:
            os.kill(os.getpid(), signal.SIGINT)


def _while_waiting(original, table_of):
    # A second session locks the table; once pg_stat_activity shows the flow's statement
    # waiting for that lock, the signal goes (psycopg is inside its wait on the server).
    def blocked(engine, db, *args, **kwargs):
        if _sent:
            return original(engine, db, *args, **kwargs)
        holder = create_engine(engine.url.render_as_string(hide_password=False))
        with holder.connect() as lock:
            lock.execute(text(f"LOCK TABLE {table_of(db)} IN ACCESS EXCLUSIVE MODE"))

            def watch():
                with holder.connect() as look:
                    while not look.execute(text(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted"
                        " AND relation = CAST(:t AS regclass)"), {"t": table_of(db)}).scalar():
                        pass
                _send(original.__name__)

            threading.Thread(target=watch, daemon=True).start()
            try:
                return original(engine, db, *args, **kwargs)
            except KeyboardInterrupt:
                if not os.environ.get("HV_SWALLOW"):
                    raise
                return []  # a driver that swallowed it and answered nothing
            finally:
                lock.rollback()
                holder.dispose()
    return blocked


def _at_start(original):
    def signalled(*args, **kwargs):
        if kwargs.get("purpose", "cleanup") == "cleanup":
            _send(original.__name__)
        return original(*args, **kwargs)
    return signalled


_stop = HarnessState.teardown


def _teardown(self):
    if self.target is not None and self.target.database_url and self.stack is not None:
        _urls.append(self.target.database_url)
        engine = create_engine(self.target.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as db:
            rows = db.execute(text(
                "SELECT (SELECT count(*) FROM users WHERE name LIKE 'hv-%')"
                " + (SELECT count(*) FROM tasks WHERE title LIKE 'hv-%')")).scalar()
        engine.dispose()
        Path(os.environ["HV_ROWS_FILE"]).write_text(str(rows))
    if MOMENT == "stack_stop" and self.stack is not None:
        _send("stack_stop")
    _stop(self)


def pytest_harness_stack_ready(config, target, addresses):
    HarnessState.teardown = _teardown
    if MOMENT == "task_ledger":
        flow_db.task_ledger = _while_waiting(flow_db.task_ledger, lambda db: db.ledger)
    if MOMENT == "fingerprint":
        flow_db.fingerprint = _while_waiting(flow_db.fingerprint, lambda db: db.users)
    if MOMENT == "cleanup":
        flow_db.cleanup = _at_start(flow_db.cleanup)
"""


def run(project, tmp_path: Path, moment: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The harness in its own process, with Ctrl-C as a terminal delivers it (a background
    shell would start it with SIGINT ignored)."""
    project.add_hook(HOOKS)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ.update(REFAPP_FAULTS="", TMPDIR=str(project.tmpdir), HV_SIGNAL_AT=moment,
                   HV_SENT_FILE=str(tmp_path / "sent"), HV_ROWS_FILE=str(tmp_path / "rows"), **env)  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", *args], check=False, cwd=project.path,
            env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            start_new_session=True,  # its own process group: a group signal stays inside
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the run did not end: {str(exc.output)[-3000:]}") from None
    print(done.stdout[-6000:])
    assert (tmp_path / "sent").read_text() == moment, "the signal was not sent where planned"
    return done


def items_of(project) -> dict[str, str]:
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return {item["id"]: item["status"] for item in checklist["items"]}


def outcomes_of(project) -> dict[str, tuple[str, list[str]]]:
    return {t["nodeid"].split("::")[-1]: (t["outcome"], t["checklist"]) for t in project.results()["tests"]}


@pytest.mark.parametrize("how", ["raised", "swallowed", "group"])
def test_ctrl_c_during_the_wallet_flow_is_interrupted_and_its_rows_removed(project, tmp_path, how):
    """Point 16: the signal lands while the flow's ledger read waits on the server; raised
    through psycopg, swallowed (as a driver did in the field, leaving a wrong answer), or sent
    to the whole process group as a terminal does."""
    env = {"raised": {}, "swallowed": {"HV_SWALLOW": "1"}, "group": {"HV_SIGNAL_GROUP": "1"}}[how]
    done = run(project, tmp_path, "task_ledger", "suites/test_wallet_reward.py", **env)
    assert done.returncode == 2, done.stdout[-3000:]
    items = items_of(project)
    assert items["wallet-reward"] == "interrupted", items
    assert items["wallet-idempotent"] in ("not_run", "interrupted"), items  # never failed
    assert outcomes_of(project)["test_completion_credits_bounty"][0] == "interrupted"
    assert (tmp_path / "rows").read_text() == "0", "the flow's tagged rows were left behind"
    assert "Traceback" not in done.stdout


def test_ctrl_c_in_a_tests_setup_lists_that_test_as_interrupted(project, tmp_path):
    """Point 18: stopped in a fixture (the flow's first fingerprint), before any phase of the
    test reported: the test is still in results.json, interrupted, under its item."""
    done = run(project, tmp_path, "fingerprint", "suites/test_wallet_reward.py")
    assert done.returncode == 2, done.stdout[-3000:]
    assert outcomes_of(project)["test_completion_credits_bounty"] == ("interrupted", ["wallet-reward"])
    assert items_of(project)["wallet-reward"] == "interrupted"
    assert (tmp_path / "rows").read_text() == "0"


@pytest.mark.parametrize("moment", ["cleanup", "stack_stop"])
def test_ctrl_c_during_teardown_keeps_the_results_and_writes_the_report(project, tmp_path, moment):
    """Point 17: the tests are over (or the flow's cleanup has begun): the signal waits for the
    cleanup; the finished tests' results stay, the checklist is written, exit 2."""
    done = run(project, tmp_path, moment, "suites/test_wallet_reward.py")
    assert done.returncode == 2, done.stdout[-3000:]
    results = project.results()
    assert results["status"] == "interrupted" and results["exit_status"] == 2
    outcomes = outcomes_of(project)
    assert outcomes["test_completion_credits_bounty"] == ("passed", ["wallet-reward"]), outcomes
    if moment == "stack_stop":  # every test had finished
        assert outcomes["test_completion_pays_once"][0] == "passed", outcomes
    assert (project.report_dirs()[-1] / "checklist.json").exists()
    assert (tmp_path / "rows").read_text() == "0"
    assert "Traceback" not in done.stdout
    assert not project.leftover_clusters()
