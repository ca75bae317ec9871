"""Rewards that are right in size and still wrong: paid to another user's wallet, or filed
under another task's id. Injected with real triggers on the reference app's database once
the stack is up; each must be named for what it is, with a remedy, and cleaned up.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack

REWARD_TEST = "suites/test_wallet_reward.py::test_completion_credits_bounty"
QUICK_POLL = {"targets": {"local": {"wallet": {"poll_timeout_s": 0.5, "settle_s": 0.1}}}}
# An untagged bystander with a wallet; every user credit is moved onto it (balance and entry).
PAY_BYSTANDER = [
    "INSERT INTO users (name, email) VALUES ('bystander', 'bystander@example.invalid')",
    "INSERT INTO wallet.wallets (user_id, kind, balance) SELECT id, 'user', 0 FROM users WHERE name = 'bystander'",
    """CREATE FUNCTION hv_bystander() RETURNS int LANGUAGE sql AS
       $$ SELECT w.id FROM wallet.wallets w JOIN users u ON u.id = w.user_id WHERE u.name = 'bystander' $$""",
    """CREATE FUNCTION hv_redirect_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.kind = 'reward_credit' THEN NEW.wallet_id := hv_bystander(); END IF; RETURN NEW; END $$""",
    """CREATE FUNCTION hv_redirect_balance() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.balance > OLD.balance AND OLD.user_id IS NOT NULL AND OLD.id <> hv_bystander() THEN
           UPDATE wallet.wallets SET balance = balance + (NEW.balance - OLD.balance) WHERE id = hv_bystander();
           NEW.balance := OLD.balance;
         END IF; RETURN NEW; END $$""",
    "CREATE TRIGGER hv_e BEFORE INSERT ON wallet.ledger_entries FOR EACH ROW EXECUTE FUNCTION hv_redirect_entry()",
    "CREATE TRIGGER hv_b BEFORE UPDATE ON wallet.wallets FOR EACH ROW EXECUTE FUNCTION hv_redirect_balance()",
]  # fmt: skip
FILE_UNDER_OTHER_TASK = [
    """CREATE FUNCTION hv_other_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.kind = 'reward_credit' THEN NEW.task_id := NEW.task_id + 1000; END IF; RETURN NEW; END $$""",
    "CREATE TRIGGER hv_t BEFORE INSERT ON wallet.ledger_entries FOR EACH ROW EXECUTE FUNCTION hv_other_task()",
]  # fmt: skip


def inject(*statements: str) -> str:
    return f"""
import psycopg
def pytest_harness_stack_ready(config, target, addresses):
    with psycopg.connect(addresses.database_url, autocommit=True) as connection:
        for statement in {statements!r}:
            connection.execute(statement)
"""


def reward_check(project) -> dict:
    return next(c for t in project.results()["tests"] for c in t["checks"] if c["item"] == "wallet-reward")


def cleanup_ok(project) -> bool:
    return all(c["ok"] for t in project.results()["tests"] for c in t["checks"] if c["item"] == "cleanup")


def test_reward_paid_to_another_user_names_that_user(project):
    project.set_targets(QUICK_POLL)
    project.add_hook(inject(*PAY_BYSTANDER))
    result = project.run(REWARD_TEST)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]wallet-reward[]] paid to user * (bystander) instead of user * (hv-*): +7 for task *"])
    check = reward_check(project)
    assert "never credited" not in check["summary"]
    assert "assignee" in check["remediation"]
    assert cleanup_ok(project)


def test_credit_filed_under_another_task_says_so(project):
    project.set_targets(QUICK_POLL)
    project.add_hook(inject(*FILE_UNDER_OTHER_TASK))
    result = project.run(REWARD_TEST)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]wallet-reward[]] the ledger entry crediting +7 to user * names task * instead of task *"])
    check = reward_check(project)
    assert "amount credited differs" not in check["remediation"]
    assert "task's own id" in check["remediation"]
    assert cleanup_ok(project)
