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


# A flow without a replay, so only the burst can see the crash (issue 23: a declared burst
# that got 14 × HTTP 500 and paid once passed wallet-idempotent).
CREDIT = {"name": "credit", "method": "POST", "path": "/ledger", "expect": [201],
          "json": {"operation": "task_completed", "amount": 7, "nonce": "{nonce}", "owner_id": "{run_tag}"}}  # fmt: skip
BURST_ONLY = {
    "beneficiary": "{run_tag}", "amount": 7, "balance": {"path": "/ledger/{account}/balance", "pointer": "/balance"},
    "steps": [CREDIT], "burst": {"item": "wallet-idempotent", "step": "credit", "concurrency": 10, "bursts": 2},
    "rows": [{"table": "ledger_entries", "tag_columns": ["owner_id", "nonce"]}], "poll_timeout_s": 0.5, "settle_s": 0.1,
}  # fmt: skip


def with_flow(project, flow: dict):
    project.set_targets({"targets": {"ledger_local": {**LEDGER, "flows": {"ledger": flow}}}})
    return project


def test_a_burst_that_crashes_but_pays_once_fails_naming_the_500(ledger):
    result = run(with_flow(ledger, BURST_ONLY), "used_nonce_crashes")
    assert ledger.failed_items() == {"wallet-idempotent"}, result.stdout.str()
    result.stdout.fnmatch_lines([
        ("*[[]wallet-idempotent[]] 9 of 10 concurrent credit requests failed (burst 1 of 2): "
         "HTTP 500: 'Internal Server Error' (and 8 more)*"),
    ])  # fmt: skip
    burst = checks_of(ledger, "wallet-idempotent")[0]
    assert burst["evidence"]["bursts"] == [
        {"burst": 1, "statuses": {"201": 1, "500": 9}, "balance_moved": 7}
    ]
    assert "server error" in burst["remediation"]
    assert_cleaned_up(ledger)


def test_a_replay_that_crashes_fails_naming_the_500(ledger):
    result = run(ledger, "used_nonce_crashes")
    assert ledger.failed_items() == {"wallet-idempotent"}
    result.stdout.fnmatch_lines(
        [
            "*a replayed credit (same request, same nonce) failed with HTTP 500: 'Internal Server Error'*"
        ]
    )


def test_a_burst_with_unique_nonces_sends_distinct_requests(ledger):
    # {unique} is new for every request: ten distinct nonces, so all ten are credits of their own
    # (the shape of a spend race, where only the balance may refuse them).
    unique = {**CREDIT, "json": {**CREDIT["json"], "nonce": "{unique}"}}
    result = run(with_flow(ledger, {**BURST_ONLY, "steps": [unique]}))
    burst = checks_of(ledger, "wallet-idempotent")[0]
    assert burst["evidence"]["bursts"][0]["statuses"] == {"201": 10}, result.stdout.str()
    assert "10 identical concurrent requests paid 10 times" in burst["summary"]
    assert_cleaned_up(ledger)


def test_amounts_captured_from_the_servers_answers(ledger):
    # The price from GET /operations, sent back as the amount; the move expected is what the
    # credit's answer says it paid. Nothing is restated in the flow.
    price = {"name": "price", "method": "GET", "path": "/operations", "expect": [200],
             "capture": {"price": "/operations/task_completed"}}  # fmt: skip
    credit = {
        **CREDIT,
        "json": {**CREDIT["json"], "amount": "{price}"},
        "capture": {"paid": "/amount"},
    }
    flow = {**BURST_ONLY, "amount": "{paid}", "steps": [price, credit],
            "replay": {"item": "wallet-idempotent", "step": "credit", "refused": [409]}}  # fmt: skip
    result = run(with_flow(ledger, flow))
    result.assert_outcomes(passed=2)
    reward = checks_of(ledger, "wallet-reward")[0]["evidence"]
    assert reward["expected_move"] == 7 and reward["balance_moved"] == 7
    assert_cleaned_up(ledger)
