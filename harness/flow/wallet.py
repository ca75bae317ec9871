"""wallet-reward and wallet-idempotent: a completed task pays its bounty exactly once.

The flow goes through HTTP only (``wallet_api``): create a tagged user and task, accept,
complete, then poll the balance with a bounded timeout (real payers may credit
asynchronously). Where the profile has a database, the task's ledger is read there too (the
system wallet's debit has no public route) and cleanup restores it (``wallet_db``).

In the system this guards, completion POSTed the reward to a wallet service fire-and-forget,
so rewards vanished silently; these checks make a lost, short or doubled payment visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from harness.config.targets import Target
from harness.flow import db as wallet_db
from harness.flow.api import AUTH_REMEDY, SERVER_ERROR_REMEDY, FlowError, Tagger, WalletApi
from harness.flow.config import WalletSpec, WalletTables, wallet_spec
from harness.flow.diagnose import misdirected
from harness.flow.races import either
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.transport.liveness import DeadRun

REWARD = "wallet-reward"
IDEMPOTENT = "wallet-idempotent"
CLEANUP = "cleanup"
LedgerReader = Callable[[int], list[dict[str, Any]]]


@dataclass
class Flow:
    """One tagged user with one accepted task, and the user's balance before completion."""

    tag: str
    user_id: int
    task_id: int
    start_balance: int
    evidence: dict[str, Any] = field(default_factory=dict)


def start_flow(api: WalletApi, tags: Tagger) -> Flow:
    tag = tags.next()
    user_id = api.create_user(tag)
    task_id = api.create_task(tag)
    api.accept(task_id, user_id)
    return Flow(tag, user_id, task_id, api.balance(user_id))


def complete_and_poll(api: WalletApi, flow: Flow) -> int:
    """Complete once; wait until the balance has risen by the bounty (or time ran out).
    Returns the rise."""
    response = api.complete(flow.task_id)
    if not response.is_success:
        raise FlowError("complete task", response)
    poll = api.poll_balance(flow.user_id, lambda b: b - flow.start_balance >= api.spec.bounty)
    flow.evidence["waited_s"] = poll.waited_s
    return poll.balance - flow.start_balance


# ---------------------------------------------------------------- wallet-reward


def check_wallet_reward(api: WalletApi, tags: Tagger, ledger: LedgerReader | None) -> CheckResult:
    bounty = api.spec.bounty
    try:
        supply_before = api.supply()
        flow = start_flow(api, tags)
        rise = complete_and_poll(api, flow)
        user_ledger = api.ledger_entries(flow.user_id)
        supply_after = api.supply()
    except FlowError as exc:
        return _flow_failed(REWARD, exc)
    credits = [amount for task, amount in user_ledger if task == flow.task_id]
    entries = ledger(flow.task_id) if ledger else None
    wrong = misdirected(entries, user_ledger, flow.user_id, flow.tag, flow.task_id)
    evidence = {
        "user": flow.tag, "task_id": flow.task_id, "bounty": bounty, "balance_rise": rise,
        "waited_s": flow.evidence["waited_s"], "ledger_credits": credits,
        "task_ledger_db": entries if entries is not None else msg("wallet.not_read"),
        "supply_before": supply_before, "supply_after": supply_after,
    }  # fmt: skip
    problems = wrong.problems or _reward_problems(bounty, rise, credits, api.spec)
    problems += _ledger_problems(bounty, entries) + _supply_problems(supply_before, supply_after)
    expected = {"balance_rise": bounty, "ledger_credits": [bounty], "task_ledger_db": [-bounty, bounty]}
    if not problems:
        return CheckResult.passed(REWARD, msg("wallet.reward_pass", bounty=bounty), **evidence)
    return CheckResult.failed(
        REWARD, sentences(*problems), remediation=wrong.remedy or _reward_remedy(rise, bounty), expected=expected,
        **evidence,
    )


def _reward_problems(bounty: int, rise: int, credits: list[int], spec: WalletSpec) -> list[str]:
    if rise == 0 and not credits:
        return [msg("wallet.never_credited", bounty=bounty, seconds=f"{spec.poll_timeout_s:g}")]
    problems: list[str] = []
    if rise != bounty:
        problems.append(msg("wallet.rise_wrong", rise=rise, bounty=bounty))
    if credits != [bounty]:
        problems.append(msg("wallet.credits_wrong", credits=str(credits), bounty=bounty))
    return problems


def _ledger_problems(bounty: int, entries: list[dict[str, Any]] | None) -> list[str]:
    if entries is None:
        return []
    debits = [e["amount"] for e in entries if e["system_wallet"]]
    total = sum(e["amount"] for e in entries)
    problems: list[str] = []
    if debits != [-bounty]:
        problems.append(msg("wallet.debits_wrong", debits=str(debits), amount=-bounty))
    if total != 0:
        problems.append(msg("wallet.sum_wrong", total=total))
    return problems


def _supply_problems(before: dict[str, int] | None, after: dict[str, int] | None) -> list[str]:
    # Transfers conserve the sum of balances, also when other workers run flows at the same
    # time, so "circulating unchanged and equal to total" holds under -n 2 too.
    if before is None or after is None:
        return []
    problems: list[str] = []
    if after["total"] != after["circulating"]:
        problems.append(msg("wallet.supply_unequal", total=after["total"], circulating=after["circulating"]))
    if after["circulating"] != before["circulating"]:
        delta = after["circulating"] - before["circulating"]
        problems.append(msg("wallet.supply_changed", delta=f"{delta:+d}"))
    return problems


def _reward_remedy(rise: int, bounty: int) -> str:
    if rise == 0:
        return msg("wallet.remedy_pays_nothing")
    if rise > bounty:
        return msg("wallet.remedy_paid_twice")
    return msg("wallet.remedy_amount")


# ---------------------------------------------------------------- wallet-idempotent


def check_wallet_idempotent(api: WalletApi, tags: Tagger, ledger: LedgerReader | None) -> CheckResult:
    """Completing twice, and completing from ``concurrency`` requests at once, pays once.
    A payment of zero or of a wrong amount is wallet-reward's business, not this item's."""
    try:
        repeat = _repeat_completion(api, start_flow(api, tags), ledger)
        racing = _concurrent_completion(api, start_flow(api, tags), ledger)
    except FlowError as exc:
        return _flow_failed(IDEMPOTENT, exc)
    problems = repeat.pop("problems") + racing.pop("problems")
    evidence = {"repeated_completion": repeat, "concurrent_completion": racing}
    expected = {"second_completion_status": list(api.spec.refused_statuses), "payments": 1}
    if not problems:
        return CheckResult.passed(IDEMPOTENT, msg("wallet.idempotent_pass"), **evidence)
    return CheckResult.failed(
        IDEMPOTENT, sentences(*problems), expected=expected, **evidence, remediation=msg("wallet.idempotent_remedy"),
    )  # fmt: skip


def _repeat_completion(api: WalletApi, flow: Flow, ledger: LedgerReader | None) -> dict[str, Any]:
    complete_and_poll(api, flow)
    second = api.complete(flow.task_id)
    paid = _payments(api, flow, ledger)
    problems = _overpaid(msg("wallet.twice"), paid, api.spec.bounty)
    if second.status_code not in api.spec.refused_statuses:
        problems.insert(0, msg("wallet.second_completion", task=flow.task_id, status=second.status_code,
                               refused=_refused(api)))  # fmt: skip
    return {"task_id": flow.task_id, "second_completion_status": second.status_code, **paid,
            "problems": problems}  # fmt: skip


def _concurrent_completion(api: WalletApi, flow: Flow, ledger: LedgerReader | None) -> dict[str, Any]:
    count = api.spec.concurrency
    statuses = api.complete_concurrently(flow.task_id, count)
    api.poll_balance(flow.user_id, lambda b: b - flow.start_balance >= api.spec.bounty)
    paid = _payments(api, flow, ledger)
    problems = _overpaid(msg("wallet.concurrently", count=count), paid, api.spec.bounty)
    broken = [s for s in statuses if not isinstance(s, int) or s >= 500]
    successes = sum(1 for s in statuses if isinstance(s, int) and 200 <= s < 300)
    others = sorted({s for s in statuses if isinstance(s, int) and s < 500 and not 200 <= s < 300
                     and s not in api.spec.refused_statuses})  # fmt: skip
    if broken:
        problems.insert(0, msg("wallet.concurrent_broken", n=len(broken), count=count, broken=str(broken[:3])))
    if successes != 1:
        problems.append(msg("wallet.concurrent_successes", n=successes, count=count))
    if others:
        problems.append(msg("wallet.concurrent_refused", others=str(others), refused=_refused(api)))
    return {"task_id": flow.task_id, "statuses": _tally(statuses), **paid, "problems": problems}


def _payments(api: WalletApi, flow: Flow, ledger: LedgerReader | None) -> dict[str, Any]:
    balance = api.balance(flow.user_id)
    paid: dict[str, Any] = {
        "balance_rise": balance - flow.start_balance,
        "ledger_credits": api.ledger_amounts(flow.user_id, flow.task_id),
    }
    if ledger is not None:
        paid["system_debits_db"] = [e["amount"] for e in ledger(flow.task_id) if e["system_wallet"]]
    return paid


def _overpaid(what: str, paid: dict[str, Any], bounty: int) -> list[str]:
    times = max(len(paid["ledger_credits"]), len(paid.get("system_debits_db", [])))
    if times <= 1 and paid["balance_rise"] <= bounty:
        return []
    return [msg("wallet.overpaid", what=what, times=times, rise=paid["balance_rise"], bounty=bounty,
                credits=str(paid["ledger_credits"]))]  # fmt: skip


def _tally(statuses: list[int | str]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for status in statuses:
        tally[str(status)] = tally.get(str(status), 0) + 1
    return tally


def _refused(api: WalletApi) -> str:
    return either(tuple(api.spec.refused_statuses))


def _flow_failed(item: str, exc: FlowError) -> CheckResult:
    return CheckResult.failed(
        item, msg("wallet.could_not_run", error=exc.message), **exc.evidence(), remediation=_flow_remedy(exc),
    )  # fmt: skip


def _flow_remedy(exc: FlowError) -> str:
    if exc.server_error:
        return SERVER_ERROR_REMEDY
    if exc.status in (401, 403):
        return AUTH_REMEDY
    return msg("wallet.routes_remedy")


# ---------------------------------------------------------------- cleanup and janitor


def check_cleanup(before: dict[str, Any], after: dict[str, Any], removed: dict[str, int]) -> CheckResult:
    evidence = {"fingerprint_before": before, "fingerprint_after": after, "removed": removed}
    if before == after:
        return CheckResult.passed(CLEANUP, msg("wallet.cleanup_pass"), **evidence)
    changed = sorted(k for k in before if before.get(k) != after.get(k))
    return CheckResult.failed(
        CLEANUP, msg("wallet.cleanup_fail", changed=", ".join(changed)), remediation=msg("wallet.cleanup_remedy"),
        **evidence,
    )  # fmt: skip


def sweep_tagged_rows(
    engine: Engine, ttl_s: float, target: Target | None = None, dead: DeadRun | None = None
) -> list[str]:
    """Janitor sweeper: the wallet flow's tagged rows of dead runs (or runs older than
    ``ttl_s``), with the system wallet given back what they took. The tables are the
    profile's ``[wallet.db]`` mapping when the target is known, the reference app's otherwise."""
    tables = wallet_spec(target).db if target is not None else WalletTables()
    return wallet_db.sweep(engine, ttl_s, tables, datetime.now(UTC), dead)
