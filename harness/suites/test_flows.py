"""Declared flows (``[targets.NAME.flows.*]``): one test per checklist item they prove.

Writes to the target: runs only where the profile allows writes and is not production.
Each test cleans up its own rows (by tag and by captured id) and records that as
``cleanup``. A profile without declared flows runs the built-in wallet flow instead
(test_wallet_reward.py).
"""

from contextlib import nullcontext

import pytest

from harness.errors import ConfigError
from harness.flow.api import Tagger
from harness.flow.declare import flows_spec
from harness.flow.invariants import FlowJudge
from harness.flow.rows import CLEANUP, cleanup, own_rows, require_tables
from harness.flow.run import writes_refusal
from harness.flow.steps import StepRunner
from harness.messages.core import msg
from harness.plugin.session import state_key
from harness.result import CheckResult
from harness.transport.db import database_errors


def _mapped(engine):
    """The flow's own database reads: a lost connection or a restart is "could not look"
    (blocked), never a product failure or a raw SQLAlchemy traceback."""
    return database_errors(engine) if engine is not None else nullcontext()


def pytest_generate_tests(metafunc):
    if "flow_item" not in metafunc.fixturenames:
        return
    target = metafunc.config.stash[state_key].target
    flows = flows_spec(target) if target is not None else []
    cases = [
        pytest.param((spec, item), id=f"{spec.name}-{item}", marks=pytest.mark.checklist(item))
        for spec in flows
        for item in spec.items()
    ]
    metafunc.parametrize(
        "flow_item",
        cases
        or [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=msg("flow.no_declared")
                ),
            )
        ],
    )


@pytest.fixture
def judge(flow_item, target, run_id, worker_id_safe, request, check):
    reason = writes_refusal(target)
    if reason:
        pytest.skip(reason)
    spec, _ = flow_item
    engine = request.getfixturevalue("db_engine") if target.database_url else None
    writer = request.getfixturevalue("db_writer") if target.database_url else None  # cleanup
    try:
        if engine is not None:
            with _mapped(engine):
                require_tables(engine, spec)
    except ConfigError as exc:  # a mapping error: exit 4 with one line, never a SQL traceback
        pytest.exit(exc.one_line(), returncode=4)
    tags = Tagger.for_worker(run_id, worker_id_safe)
    # The profile's [auth] on every request (a login that fails is exit 4, one line).
    auth = request.getfixturevalue("auth_headers")
    runner = StepRunner(request.getfixturevalue("http"), spec, engine, auth)
    with _mapped(engine):
        before = own_rows(engine, spec, tags.prefix, []) if engine is not None and spec.rows else None
    flow_judge = FlowJudge(runner, tags)
    yield flow_judge
    if before is not None and writer is not None:  # both come with a database_url
        with _mapped(writer):
            result = cleanup(writer, spec, tags.prefix, flow_judge.contexts, before)
        check(result)
    else:
        check(CheckResult.passed(CLEANUP, msg("flow.not_cleaned_no_rows", prefix=tags.prefix), tag_prefix=tags.prefix))


def test_declared_flow(flow_item, judge, check):
    _, item = flow_item
    try:
        with _mapped(judge.runner.engine):
            result = judge.check(item)
    except ConfigError as exc:
        pytest.exit(exc.one_line(), returncode=4)
    check(result)
