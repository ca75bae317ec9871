"""The wallet flow's database side: fingerprint, cleanup that restores balances, janitor.

Cleanup reverses every ledger entry of the tagged rows on the wallet it touched (so the
system wallet gets back exactly what the flow took from it, even when the app paid a wrong
amount or paid twice) and then deletes the tagged ledger entries, wallets, tasks and users.

The fingerprint is what must be the same before the flow and after cleanup. It counts the
rows *no* harness run tagged (so another xdist worker's flow, running at the same moment,
does not change it), the sum of all balances (transfers conserve it, also concurrent
ones), the supply, and this worker's own tagged rows (zero before, zero after).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from harness.flow.api import TAG_PREFIX
from harness.flow.config import WalletTables
from harness.transport import writes
from harness.transport.liveness import DeadRun, why_sweep

# Any row a harness run tagged: hv-r<YYYYMMDD>t<HHMMSS>…
ANY_RUN_TAG = f"^{TAG_PREFIX}r[0-9]{{8}}t[0-9]{{6}}"
_RUN_ID = re.compile(rf"^{TAG_PREFIX}(r(\d{{8}})t(\d{{6}})[0-9a-z]*)-")


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching names that start with ``prefix`` (``_`` and ``%`` escaped)."""
    return prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"


def fingerprint(engine: Engine, db: WalletTables, own_prefix: str) -> dict[str, Any]:
    """One statement, so one snapshot: counts, balance sum, supply, own tagged rows."""
    sql = f"""
    WITH tu AS (SELECT id FROM {db.users} WHERE name ~ :any_tag),
         tt AS (SELECT id FROM {db.tasks} WHERE title ~ :any_tag),
         tw AS (SELECT id FROM {db.wallets} WHERE user_id IN (SELECT id FROM tu))
    SELECT
      (SELECT count(*) FROM {db.users} WHERE id NOT IN (SELECT id FROM tu)) AS users,
      (SELECT count(*) FROM {db.tasks} WHERE id NOT IN (SELECT id FROM tt)) AS tasks,
      (SELECT count(*) FROM {db.wallets} WHERE id NOT IN (SELECT id FROM tw)) AS wallets,
      (SELECT count(*) FROM {db.ledger} WHERE wallet_id NOT IN (SELECT id FROM tw)
          AND (task_id IS NULL OR task_id NOT IN (SELECT id FROM tt))) AS ledger_entries,
      (SELECT coalesce(sum(balance), 0) FROM {db.wallets}) AS balance_sum,
      (SELECT sum(total) FROM {db.supply}) AS supply_total,
      (SELECT count(*) FROM {db.users} WHERE name LIKE :own ESCAPE '\\')
        + (SELECT count(*) FROM {db.tasks} WHERE title LIKE :own ESCAPE '\\') AS own_tagged_rows
    """
    with engine.connect() as connection:
        row = connection.execute(
            text(sql), {"any_tag": ANY_RUN_TAG, "own": like_prefix(own_prefix)}
        ).one()
    return {key: int(value) if value is not None else None for key, value in row._mapping.items()}


def task_ledger(engine: Engine, db: WalletTables, task_id: int) -> list[dict[str, Any]]:
    """Every ledger entry of ``task_id``: whether it hit the system wallet, and whose wallet
    it hit (so a credit to another user's wallet can be named)."""
    sql = f"""
    SELECT l.amount, w.id IN (SELECT id FROM {db.wallets} WHERE {db.system_wallet}) AS system,
           w.user_id, u.name
    FROM {db.ledger} l JOIN {db.wallets} w ON w.id = l.wallet_id
    LEFT JOIN {db.users} u ON u.id = w.user_id
    WHERE l.task_id = :task_id ORDER BY 1
    """
    with engine.connect() as connection:
        rows = connection.execute(text(sql), {"task_id": task_id}).all()
    return [{"amount": int(amount), "system_wallet": bool(system), "user_id": user_id, "user": name}
            for amount, system, user_id, name in rows]  # fmt: skip


def cleanup(engine: Engine, db: WalletTables, prefix: str, purpose: str = "cleanup") -> dict[str, int]:
    """Remove every row tagged ``prefix*``, restoring untagged wallets first. One transaction,
    on a writing engine; recorded as writes."""
    pattern = like_prefix(prefix)
    with engine.begin() as connection:
        users = _ids(connection, f"SELECT id FROM {db.users} WHERE name LIKE :p ESCAPE '\\'", p=pattern)
        tasks = _ids(connection, f"SELECT id FROM {db.tasks} WHERE title LIKE :p ESCAPE '\\'", p=pattern)
        wallets = _ids(connection, f"SELECT id FROM {db.wallets} WHERE user_id = ANY(:u)", u=users)
        restored = _reverse_entries(connection, db, wallets, tasks)
        ledger = _delete(connection, f"{db.ledger} WHERE wallet_id = ANY(:w) OR task_id = ANY(:t)", w=wallets, t=tasks)
        _delete(connection, f"{db.wallets} WHERE id = ANY(:w)", w=wallets)
        _delete(connection, f"{db.tasks} WHERE id = ANY(:t)", t=tasks)
        _delete(connection, f"{db.users} WHERE id = ANY(:u)", u=users)
    counts = {
        "users": len(users), "tasks": len(tasks), "wallets": len(wallets),
        "ledger_entries": ledger, "balances_restored": restored,
    }  # fmt: skip
    record_rows(engine, counts, {"users": db.users, "tasks": db.tasks, "wallets": db.wallets,
                                 "ledger_entries": db.ledger}, prefix, purpose)  # fmt: skip
    return counts


def record_rows(engine: Engine, counts: dict[str, int], tables: dict[str, str], prefix: str, purpose: str) -> None:
    """The report's writes: rows deleted per table (and balances given back), by tag."""
    for key, table in tables.items():
        if counts.get(key):
            writes.record(engine, "delete rows", table, count=counts[key], tag=f"{prefix}*", purpose=purpose)
    if counts.get("balances_restored"):
        writes.record(engine, "restore balance", tables["wallets"], count=counts["balances_restored"],
                      tag=f"{prefix}*", purpose=purpose)  # fmt: skip


def _reverse_entries(connection: Connection, db: WalletTables, wallets: list[int], tasks: list[int]) -> int:
    """Give every wallet that is not being deleted (the system wallet) back what the tagged
    entries moved; returns how many wallets were restored."""
    sums = connection.execute(
        text(
            f"SELECT wallet_id, sum(amount) FROM {db.ledger} "
            "WHERE (wallet_id = ANY(:w) OR task_id = ANY(:t)) AND NOT wallet_id = ANY(:w) "
            "GROUP BY wallet_id ORDER BY wallet_id"
        ),
        {"w": wallets, "t": tasks},
    ).all()
    for wallet_id, amount in sums:
        connection.execute(
            text(f"UPDATE {db.wallets} SET balance = balance - :amount WHERE id = :id"),
            {"amount": int(amount), "id": wallet_id},
        )
    return len(sums)


def _ids(connection: Connection, sql: str, **params: Any) -> list[int]:
    return [int(value) for value in connection.execute(text(sql), params).scalars()]


def _delete(connection: Connection, where: str, **params: Any) -> int:
    return int(connection.execute(text(f"DELETE FROM {where}"), params).rowcount or 0)


# ---------------------------------------------------------------- janitor


def run_started(run_id: str) -> datetime | None:
    """``r20261122t193012ab12`` → 2026-11-22 19:30:12 UTC (the run id carries its start)."""
    try:
        return datetime.strptime(run_id[1:16], "%Y%m%dt%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def tagged_run_ids(engine: Engine, db: WalletTables) -> list[str]:
    sql = f"""
    SELECT name FROM {db.users} WHERE name ~ :tag
    UNION SELECT title FROM {db.tasks} WHERE title ~ :tag
    """
    with engine.connect() as connection:
        names = connection.execute(text(sql), {"tag": ANY_RUN_TAG}).scalars().all()
    return sorted({m.group(1) for m in map(_RUN_ID.match, names) if m})


def tables_exist(engine: Engine, db: WalletTables) -> bool:
    names = [db.users, db.tasks, db.wallets, db.ledger]
    with engine.connect() as connection:
        found = [connection.execute(text("SELECT to_regclass(:n)"), {"n": n}).scalar() for n in names]
    return all(found)


def sweep(engine: Engine, ttl_s: float, db: WalletTables, now: datetime, dead: DeadRun | None = None) -> list[str]:
    """Remove the tagged rows of every run that is dead or started more than ``ttl_s`` ago."""
    if not tables_exist(engine, db):
        return []
    removed = []
    for run_id in tagged_run_ids(engine, db):
        started = run_started(run_id)
        why = started and why_sweep(run_id, started, now, ttl_s, dead)
        if not why:
            continue
        counts = cleanup(engine, db, f"{TAG_PREFIX}{run_id}-", purpose=f"janitor: {why}")
        what = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "balances_restored")
        removed.append(f"wallet flow rows of run {run_id} ({why}): {what}")
    return removed
