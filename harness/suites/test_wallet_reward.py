"""wallet-reward / wallet-idempotent: completing a task pays its bounty exactly once.

Writes to the target: runs only where the profile allows writes and is not production.
Each test cleans up after itself (through the database, when the profile has one) and
records a before/after fingerprint as evidence.
"""

import pytest

from harness.errors import ConfigError
from harness.flow.api import Tagger, WalletApi
from harness.flow.config import wallet_spec
from harness.flow.declare import flows_spec as declared_flows
from harness.flow.run import WalletRun, writes_refusal
from harness.flow.wallet import check_wallet_idempotent, check_wallet_reward
from harness.messages.core import msg


@pytest.fixture
def wallet_run(target, run_id, worker_id_safe, request, check):
    reason = writes_refusal(target)
    if reason:
        pytest.skip(reason)
    if declared_flows(target):
        pytest.skip(msg("flow.declared_instead"))
    try:
        spec = wallet_spec(target)
    except ConfigError as exc:
        pytest.fail(exc.one_line(), pytrace=False)
    http = request.getfixturevalue("http")
    engine = request.getfixturevalue("db_engine") if target.database_url else None
    writer = request.getfixturevalue("db_writer") if target.database_url else None  # cleanup
    # Each worker has its own tags, so its users and tasks never meet another worker's.
    tags = Tagger.for_worker(run_id, worker_id_safe)
    auth = request.getfixturevalue("auth_headers")  # [auth] on every request of the flow
    run = WalletRun(WalletApi(http, spec, auth), tags, engine, spec.db, writer=writer)
    run.begin()
    yield run
    check(run.finish())


@pytest.mark.checklist("wallet-reward")
def test_completion_credits_bounty(wallet_run, check):
    check(check_wallet_reward(wallet_run.api, wallet_run.tags, wallet_run.ledger))


@pytest.mark.checklist("wallet-idempotent")
def test_completion_pays_once(wallet_run, check):
    check(check_wallet_idempotent(wallet_run.api, wallet_run.tags, wallet_run.ledger))
