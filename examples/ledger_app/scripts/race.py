"""Measure how often bursts catch the check_then_insert_race fault.

    LEDGER_DATABASE_URL=... .venv/bin/python scripts/race.py [runs] [bursts] [size] [threads|async]

Each run starts the app fresh with LEDGER_FAULTS=check_then_insert_race (as a
harness session would) and sends ``bursts`` bursts of ``size`` concurrent
credits, each burst with its own nonce and owner: from threads released by a
barrier, or from one asyncio client with gather(). A burst catches the fault
when more than one credit landed; a run catches it when any of its bursts does.
Set LEDGER_FAULTS= (empty) to check the healthy app never double-pays.
"""
import asyncio
import os
import sys
import uuid

import httpx
from smoke import burst, database_url, migrate, running_app

BODY = {"operation": "task_completed", "amount": 7}


async def async_bursts(base: str, bursts: int, size: int) -> list[tuple[str, list[int]]]:
    out = []
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _ in range(bursts):
            owner, nonce = f"hv-race-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
            body = {**BODY, "nonce": nonce, "owner_id": owner}
            posts = (client.post("/ledger", json=body) for _ in range(size))
            replies = await asyncio.gather(*posts)
            out.append((owner, [r.status_code for r in replies]))
    return out


def one_run(env: dict[str, str], bursts: int, size: int, mode: str) -> list[int]:
    """Credits that landed in each burst of one run (1 = healthy)."""
    with running_app(env) as base:
        if mode == "async":
            sent = asyncio.run(async_bursts(base, bursts, size))
        else:
            sent = []
            for _ in range(bursts):
                owner = f"hv-race-{uuid.uuid4().hex[:10]}"
                sent.append((owner, burst(base, owner, uuid.uuid4().hex, size)))
        balances = [httpx.get(f"{base}/ledger/{owner}/balance").json()["balance"]
                    for owner, _ in sent]
    pairs = zip(sent, balances, strict=True)
    return [max(codes.count(201), bal // BODY["amount"]) for (_, codes), bal in pairs]


def main() -> int:
    args = sys.argv[1:] + ["20", "3", "10", "threads"][len(sys.argv) - 1:]
    runs, bursts, size, mode = int(args[0]), int(args[1]), int(args[2]), args[3]
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url(),
           "LEDGER_FAULTS": os.environ.get("LEDGER_FAULTS", "check_then_insert_race")}
    migrate(env)
    caught_runs = caught_bursts = 0
    for i in range(runs):
        paid = one_run(env, bursts, size, mode)
        caught_bursts += sum(p > 1 for p in paid)
        caught_runs += any(p > 1 for p in paid)
        print(f"run {i + 1:2}: credits per burst {paid}")
    print(f"{mode}: bursts double-paying: {caught_bursts}/{runs * bursts}; "
          f"runs caught: {caught_runs}/{runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
