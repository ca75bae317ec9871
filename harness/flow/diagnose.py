"""Naming what a misdirected reward did, instead of "the amount differs".

Two ways a payment can be right in size and still wrong: credited to another user's wallet
(invisible on a fresh database when user N accepts task N and ids coincide, so it is read
from whose wallet the task's ledger entries hit), or recorded under another task's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.messages.core import msg


@dataclass
class Diagnosis:
    problems: list[str] = field(default_factory=list)
    remedy: str = ""


def misdirected(
    task_ledger: list[dict[str, Any]] | None, user_ledger: list[tuple[Any, int]], user_id: int, user: str,
    task_id: int,
) -> Diagnosis:  # fmt: skip
    """Credits of ``task_id`` on someone else's wallet; credits to ``user`` filed under another task."""
    found = Diagnosis()
    elsewhere = [e for e in task_ledger or [] if not e["system_wallet"] and e["user_id"] != user_id]
    for entry in elsewhere:
        found.problems.append(msg("wallet.wrong_wallet", other=entry["user_id"], other_name=entry["user"],
                                  user_id=user_id, user=user, amount=f"{entry['amount']:+d}", task=task_id))  # fmt: skip
    if elsewhere:
        found.remedy = msg("wallet.wrong_wallet_remedy")
        return found
    misfiled = [(task, amount) for task, amount in user_ledger if task != task_id and amount > 0]
    for task, amount in misfiled:
        found.problems.append(msg("wallet.misfiled", amount=f"{amount:+d}", user_id=user_id, task=task, task_id=task_id))
    if misfiled:
        found.remedy = msg("wallet.misfiled_remedy")
    return found
