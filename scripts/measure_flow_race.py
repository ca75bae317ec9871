"""How often the declared ledger flow catches ledger_app's check_then_insert_race.

Starts the ledger app (with LEDGER_FAULTS=check_then_insert_race) on embedded PostgreSQL
once, then runs the flow's wallet-idempotent judgement RUNS times with the declared
defaults (flows/ledger.toml: concurrency 10, bursts 5), printing in which burst each run
caught the race. Usage: .venv/bin/python scripts/measure_flow_race.py [RUNS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import tomli_w

from harness.config.targets import resolve_target
from harness.flow.api import Tagger
from harness.flow.declare import parse_flow
from harness.flow.invariants import FlowJudge
from harness.flow.steps import StepRunner
from harness.plugin.session import make_run_id
from harness.stack import LocalStack
from harness.transport.http import HttpClient

REPO = Path(__file__).resolve().parents[1]
LEDGER = {
    "kind": "local", "alembic_ini": str(REPO / "examples/ledger_app/alembic.ini"),
    "app": {"dir": str(REPO / "examples/ledger_app"), "asgi": "ledger_app.main:app",
            "database_env": "LEDGER_DATABASE_URL"},
    "health": {"path": "/operations"},
}  # fmt: skip


def main(runs: int) -> None:
    os.environ["LEDGER_FAULTS"] = "check_then_insert_race"
    path = Path(tempfile.mkdtemp()) / "targets.toml"
    path.write_text(tomli_w.dumps({"targets": {"ledger": LEDGER}}))
    declared = tomllib.loads((REPO / "flows/ledger.toml").read_text())
    spec = parse_flow(
        "ledger", {**declared, "settle_s": 0.1, "poll_timeout_s": 0.5}, "flows.ledger"
    )
    stack = LocalStack(resolve_target("ledger", path))
    addresses = stack.start(lambda _: None)
    caught_in: list[int | None] = []
    try:
        with HttpClient(addresses.base_url) as client:
            for n in range(runs):
                judge = FlowJudge(
                    StepRunner(client, spec, None), Tagger(make_run_id(datetime.now(UTC)), f"m{n}")
                )
                result = judge.check("wallet-idempotent")
                bursts = result.evidence.get("bursts", [])
                caught_in.append(None if result.ok else len(bursts))
                print(
                    f"run {n + 1}: {'caught in burst ' + str(len(bursts)) if not result.ok else 'MISSED'}",
                    flush=True,
                )
    finally:
        stack.stop()
    caught = sum(1 for c in caught_in if c)
    print(
        f"caught {caught}/{runs}; first-burst catches {sum(1 for c in caught_in if c == 1)}/{runs}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
