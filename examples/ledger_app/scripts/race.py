"""Measure how often bursts catch the check_then_insert_race fault.

    LEDGER_DATABASE_URL=... .venv/bin/python scripts/race.py [runs] [bursts] [size]

Each run starts the app fresh with LEDGER_FAULTS=check_then_insert_race (as a
harness session would) and sends ``bursts`` bursts of ``size`` concurrent
credits, each burst with its own nonce and owner. A burst catches the fault when
more than one request got 201 or the owner's balance exceeds one credit; a run
catches it when any of its bursts does.
"""
import os
import sys
import uuid

import httpx
from smoke import burst, database_url, migrate, running_app


def one_run(env: dict[str, str], bursts: int, size: int) -> list[int]:
    """Number of 201s in each burst of one run."""
    paid = []
    with running_app(env) as base:
        for _ in range(bursts):
            owner, nonce = f"hv-race-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
            codes = burst(base, owner, nonce, size)
            balance = httpx.get(f"{base}/ledger/{owner}/balance").json()["balance"]
            paid.append(max(codes.count(201), balance // 7))
    return paid


def main() -> int:
    runs, bursts, size = (int(a) for a in (sys.argv[1:] + ["20", "3", "10"][len(sys.argv) - 1:]))
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url(),
           "LEDGER_FAULTS": os.environ.get("LEDGER_FAULTS", "check_then_insert_race")}
    migrate(env)
    caught_runs = caught_bursts = 0
    for i in range(runs):
        paid = one_run(env, bursts, size)
        caught_bursts += sum(p > 1 for p in paid)
        caught_runs += any(p > 1 for p in paid)
        print(f"run {i + 1:2}: credits per burst {paid}")
    print(f"bursts double-paying: {caught_bursts}/{runs * bursts}; "
          f"runs caught: {caught_runs}/{runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
