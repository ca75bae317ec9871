"""examples/ledger_app's declared flow end to end: real app, real PostgreSQL, real HTTP.

Healthy: both items pass and cleanup leaves none of the flow's rows. Each named fault of the
app fails exactly the item it breaks, with a message naming what happened.
"""

from __future__ import annotations

import pytest
from support import REPO

pytestmark = pytest.mark.stack

FLOWS = "suites/test_flows.py"
LEDGER = {
    "kind": "local", "alembic_ini": "examples/ledger_app/alembic.ini", "allow_writes": True,
    "app": {"dir": "examples/ledger_app", "asgi": "ledger_app.main:app", "database_env": "LEDGER_DATABASE_URL"},
    "health": {"path": "/operations"},
    "flows": {"ledger": {"include": "flows/ledger.toml", "poll_timeout_s": 0.5, "settle_s": 0.1}},
}  # fmt: skip


@pytest.fixture
def ledger(project):
    # support.project links flows/ already (the repo's ledger profile includes flows/ledger.toml).
    project.set_targets({"targets": {"ledger_local": LEDGER}})
    return project


def run(project, faults: str = "", *args: str):
    return project.run(FLOWS, "--target=ledger_local", *args, env={"LEDGER_FAULTS": faults})


def checks_of(project, item: str) -> list[dict]:
    return [c for t in project.results()["tests"] for c in t["checks"] if c["item"] == item]


def assert_cleaned_up(project) -> None:
    for cleanup in checks_of(project, "cleanup"):
        assert cleanup["ok"], cleanup["summary"]
        assert set(cleanup["evidence"]["own_rows_after"].values()) == {0}


def test_healthy_ledger_flow_is_green(ledger):
    result = run(ledger)
    result.assert_outcomes(passed=2)
    reward = checks_of(ledger, "wallet-reward")[0]["evidence"]
    assert reward["balance_moved"] == 7
    assert list(reward["payments_by_account"].values()) == [7]
    bursts = checks_of(ledger, "wallet-idempotent")[0]["evidence"]["bursts"]
    assert [b["statuses"] for b in bursts] == [{"201": 1, "409": 9}] * 5
    assert_cleaned_up(ledger)


def test_two_workers_run_the_flow_apart_and_clean(ledger):
    pytest.importorskip("xdist")
    result = run(ledger, "", "-n", "2")
    result.assert_outcomes(passed=2)
    owners = {c["evidence"]["beneficiary"] for c in checks_of(ledger, "wallet-reward")}
    assert len(owners) == 1 and all(o.startswith("hv-") for o in owners)
    assert_cleaned_up(ledger)


@pytest.mark.parametrize(
    ("fault", "item", "says"),
    [
        ("replay_pays_twice", "wallet-idempotent", "*a replayed credit (same request, same nonce) answered HTTP 201, expected 409*"),
        ("check_then_insert_race", "wallet-idempotent", "*10 identical concurrent requests paid * times*"),
        ("pays_other_owner", "wallet-reward", "*paid to hv-*-x instead of hv-*"),
        ("credits_nothing", "wallet-reward", "*credited nothing: hv-*'s balance moved by 0, expected +7*"),
    ],
)  # fmt: skip
def test_each_fault_fails_its_item(ledger, fault, item, says):
    result = run(ledger, fault)
    assert ledger.failed_items() == {item}
    result.stdout.fnmatch_lines([f"*[[]{item}[]]{says}"])
    assert_cleaned_up(ledger)


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"allow_writes": False}, "set allow_writes = true"),
        ({"production": True}, "production = true"),  # with allow_writes it is a contradiction (exit 4)
    ],
)
def test_declared_flow_never_writes_where_the_profile_forbids(project, profile, reason):
    # Port 9 answers nothing: reaching for the target would block instead of skip.
    remote = {"kind": "remote", "base_url": "http://127.0.0.1:9", "health": {"wait_timeout_s": 0.5},
              "flows": {"ledger": {"include": str(REPO / "flows/ledger.toml")}}}  # fmt: skip
    project.set_targets({"targets": {"remote": {**remote, **profile}}})
    result = project.run(FLOWS, "--target=remote", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([f"*n/a: writes not allowed for target remote*{reason}*"])


SAME_NONCE_OTHER_BODY = {
    "item": "wallet-idempotent", "step": "credit", "refused": [409],
    "json": {"operation": "daily_login", "amount": 1, "nonce": "{nonce}", "owner_id": "{run_tag}"},
}  # fmt: skip


@pytest.mark.parametrize("fault", ["", "replay_pays_twice"])
def test_a_replay_with_the_same_nonce_and_another_body(ledger, fault):
    flow = {**LEDGER["flows"]["ledger"], "replay": SAME_NONCE_OTHER_BODY}
    ledger.set_targets({"targets": {"ledger_local": {**LEDGER, "flows": {"ledger": flow}}}})
    result = run(ledger, fault)
    if not fault:
        result.assert_outcomes(passed=2)
        return
    assert ledger.failed_items() == {"wallet-idempotent"}
    result.stdout.fnmatch_lines(["*(same nonce, another body) answered HTTP 201, expected 409*"])
    result.stdout.fnmatch_lines(["*the replay paid again: *'s balance moved by a further +1*"])
