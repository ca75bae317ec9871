"""Crediting and reading the ledger, including the named faults.

Idempotency without a unique index: the healthy path takes a transaction-scoped
advisory lock keyed on the nonce before the check-then-insert, so two requests
with one nonce are serialised by PostgreSQL and the second sees the first's row.
Each fault below removes or bends exactly one piece of that.
"""
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ledger_app.models import LedgerEntry

# Stands for the real work a service does between its check and its insert
# (fraud rules, a call out); long enough for a burst of requests to overlap.
RACE_WINDOW_SECONDS = 0.01


class NonceUsed(Exception):
    """The nonce was already spent; ``entry_id`` is the entry it paid for."""

    def __init__(self, entry_id: int) -> None:
        super().__init__(f"nonce already used by entry {entry_id}")
        self.entry_id = entry_id


@dataclass(frozen=True)
class Credit:
    """What the client asked for, already checked against the operations table."""

    owner_id: str
    operation: str
    amount: int
    nonce: str


def balance_of(session: Session, owner_id: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.owner_id == owner_id
        )
    )
    return int(total or 0)


def entries_of(session: Session, owner_id: str) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.owner_id == owner_id).order_by(LedgerEntry.id)
    return list(session.scalars(query))


def _entry_for_nonce(session: Session, nonce: str) -> int | None:
    query = select(LedgerEntry.id).where(LedgerEntry.nonce == nonce).order_by(LedgerEntry.id)
    return session.scalars(query.limit(1)).first()


def _check_nonce(session: Session, nonce: str, faults: frozenset[str]) -> None:
    """Raise NonceUsed if spent. Healthy: under an advisory lock held to commit."""
    if "replay_pays_twice" in faults:
        return
    if "check_then_insert_race" in faults:
        existing = _entry_for_nonce(session, nonce)
        time.sleep(RACE_WINDOW_SECONDS)
    else:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:nonce))"), {"nonce": nonce})
        existing = _entry_for_nonce(session, nonce)
    if existing is not None and "used_nonce_crashes" in faults:
        _insert_over(session, existing)
    if existing is not None:
        raise NonceUsed(existing)


def _insert_over(session: Session, entry_id: int) -> None:
    """used_nonce_crashes: instead of refusing a used nonce, insert again under the entry's
    id, as code relying on a unique key without catching its violation does: PostgreSQL
    raises UniqueViolation, nothing is caught, the request answers 500."""
    session.execute(
        text("INSERT INTO ledger_entries (id, owner_id, operation, amount, nonce) "
             "SELECT id, owner_id, operation, amount, nonce FROM ledger_entries WHERE id = :id"),
        {"id": entry_id},
    )


def _payee(session: Session, credit: Credit, faults: frozenset[str]) -> str:
    """Whom the entry pays. The fault reuses the previous entry's owner, the way a
    variable left over from an earlier loop iteration would."""
    if "pays_other_owner" not in faults:
        return credit.owner_id
    last = session.scalars(select(LedgerEntry.owner_id).order_by(LedgerEntry.id.desc()).limit(1))
    previous = last.first()
    return previous if previous and previous != credit.owner_id else credit.owner_id + "-x"


def _phantom_entry(session: Session, credit: Credit) -> LedgerEntry:
    """credits_nothing: an entry with a real-looking id that is never inserted."""
    new_id = session.scalar(text("SELECT nextval(pg_get_serial_sequence('ledger_entries', 'id'))"))
    return LedgerEntry(
        id=new_id, owner_id=credit.owner_id, operation=credit.operation,
        amount=credit.amount, nonce=credit.nonce,
    )


def credit(session: Session, credit: Credit, faults: frozenset[str]) -> tuple[LedgerEntry, int]:
    """Record one credit; return the entry and the owner's balance. Commits."""
    with session.begin():
        _check_nonce(session, credit.nonce, faults)
        if "credits_nothing" in faults:
            entry = _phantom_entry(session, credit)
            # The response claims the credit landed; only a re-read shows it did not.
            return entry, balance_of(session, credit.owner_id) + credit.amount
        entry = LedgerEntry(
            owner_id=_payee(session, credit, faults), operation=credit.operation,
            amount=credit.amount, nonce=credit.nonce,
        )
        session.add(entry)
        session.flush()
        return entry, balance_of(session, credit.owner_id)
