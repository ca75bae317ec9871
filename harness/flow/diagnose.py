"""Naming what a misdirected reward did, instead of "the amount differs".

Two ways a payment can be right in size and still wrong: credited to another user's wallet
(invisible on a fresh database when user N accepts task N and ids coincide, so it is read
from whose wallet the task's ledger entries hit), or recorded under another task's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        found.problems.append(
            f"paid to user {entry['user_id']} ({entry['user']}) instead of user {user_id} ({user}): "
            f"{entry['amount']:+d} for task {task_id} went to the wrong wallet"
        )
    if elsewhere:
        found.remedy = ("credit the wallet of the task's assignee, looked up from the task being "
                        "completed, not from another id (a user id that equals the task id on a fresh database)")  # fmt: skip
        return found
    misfiled = [(task, amount) for task, amount in user_ledger if task != task_id and amount > 0]
    for task, amount in misfiled:
        found.problems.append(
            f"the ledger entry crediting {amount:+d} to user {user_id} names task {task} instead of task {task_id}"
        )
    if misfiled:
        found.remedy = "record the completed task's own id on its ledger entries (debit and credit)"
    return found
