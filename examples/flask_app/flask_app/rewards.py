"""Paying a task's bounty: system wallet to assignee, in one transaction."""
from sqlalchemy import select

from flask_app.extensions import db
from flask_app.models import SYSTEM_USER_NAME, LedgerEntry, Task, User, Wallet


class Conflict(Exception):
    """The request contradicts the current state (409)."""


def wallet_for(user_id: int, lock: bool = False) -> Wallet | None:
    query = select(Wallet).where(Wallet.user_id == user_id)
    return db.session.scalars(query.with_for_update() if lock else query).first()


def system_wallet() -> Wallet:
    query = select(Wallet).join(User, User.id == Wallet.user_id)
    query = query.where(User.name == SYSTEM_USER_NAME)
    wallet = db.session.scalars(query.with_for_update()).first()
    if wallet is None:
        # The seed migration did not run: a deployment error, not a client one.
        raise RuntimeError("system wallet missing (did `flask db upgrade` run?)")
    return wallet


def transfer(task: Task, pay: bool) -> int:
    """Move the bounty; return the amount paid (0 when ``pay`` is False: the fault)."""
    if not pay:
        return 0
    source, target = system_wallet(), wallet_for(task.assignee_id, lock=True)
    if target is None:
        raise Conflict(f"assignee {task.assignee_id} has no wallet")
    source.balance -= task.bounty
    target.balance += task.bounty
    db.session.add_all([
        LedgerEntry(wallet_id=source.id, task_id=task.id, amount=-task.bounty),
        LedgerEntry(wallet_id=target.id, task_id=task.id, amount=task.bounty),
    ])
    return task.bounty


def complete(task_id: int, pay: bool) -> tuple[Task, int] | None:
    """Mark the task complete and pay it, atomically; None when no such task.

    The task row is locked first, so two concurrent completions serialise and
    the second sees completed=True (409) instead of paying twice."""
    task = db.session.get(Task, task_id, with_for_update=True)
    if task is None:
        return None
    if task.completed:
        raise Conflict("task already completed")
    if task.assignee_id is None:
        raise Conflict("task has no assignee; accept it first")
    task.completed = True
    paid = transfer(task, pay)
    db.session.commit()
    return task, paid
