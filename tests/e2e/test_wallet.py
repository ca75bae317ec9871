"""The wallet flow end to end: real reference app, real PostgreSQL, real HTTP.

Each reward fault must fail its checklist item with expected vs observed amounts; the
healthy stack is green and cleanup leaves the fingerprint as it found it; the flow never
writes where the profile forbids it.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack

WALLET = "suites/test_wallet_reward.py"
# A reward that never comes is only seen when the poll gives up: keep that short here.
QUICK_POLL = {"targets": {"local": {"wallet": {"poll_timeout_s": 0.5, "settle_s": 0.1}}}}


def checks_of(project, item: str) -> list[dict]:
    return [c for t in project.results()["tests"] for c in t["checks"] if c["item"] == item]


def assert_cleaned_up(project, runs: int) -> None:
    cleanups = checks_of(project, "cleanup")
    assert len(cleanups) == runs
    for cleanup in cleanups:
        evidence = cleanup["evidence"]
        assert cleanup["ok"], cleanup["summary"]
        assert evidence["fingerprint_after"] == evidence["fingerprint_before"]
        assert evidence["fingerprint_after"]["own_tagged_rows"] == 0
        assert evidence["removed"]["users"] >= 1 and evidence["removed"]["tasks"] >= 1


def test_healthy_stack_is_green_and_cleanup_restores_the_fingerprint(project):
    result = project.run(WALLET)
    result.assert_outcomes(passed=2)
    reward = checks_of(project, "wallet-reward")[0]["evidence"]
    assert reward["balance_rise"] == 7 and reward["ledger_credits"] == [7]
    assert sorted(e["amount"] for e in reward["task_ledger_db"]) == [-7, 7]
    assert reward["supply_after"] == reward["supply_before"]
    racing = checks_of(project, "wallet-idempotent")[0]["evidence"]["concurrent_completion"]
    assert racing["statuses"] == {"200": 1, "409": 9}
    assert_cleaned_up(project, runs=2)


def test_reward_dropped_fails_wallet_reward_only(project):
    project.set_targets(QUICK_POLL)
    result = project.run(WALLET, faults="reward_dropped")
    result.assert_outcomes(passed=1, failed=1)
    assert project.failed_items() == {"wallet-reward"}
    result.stdout.fnmatch_lines(
        ["*[[]wallet-reward[]] reward never credited: expected the balance to rise by 7, observed 0*"]
    )
    reward = checks_of(project, "wallet-reward")[0]
    assert "fire-and-forget" in reward["remediation"]
    assert_cleaned_up(project, runs=2)


def test_reward_wrong_amount_names_expected_and_observed(project):
    project.set_targets(QUICK_POLL)
    result = project.run(WALLET, faults="reward_wrong_amount")
    result.assert_outcomes(passed=1, failed=1)
    assert project.failed_items() == {"wallet-reward"}
    result.stdout.fnmatch_lines(["*balance rose by 6, expected exactly the bounty 7*"])
    reward = checks_of(project, "wallet-reward")[0]
    assert "ledger credits for the task are [6], expected exactly [7]" in reward["summary"]
    # The system paid 7, the user got 6: the books do not balance and supply leaks.
    assert "sum to -1, expected 0" in reward["summary"]
    assert "circulating supply changed by -1" in reward["summary"]
    assert_cleaned_up(project, runs=2)


def test_reward_twice_fails_wallet_idempotent(project):
    result = project.run(WALLET, faults="reward_twice")
    # One completion paying twice also breaks wallet-reward's "exactly once" (DESIGN §4).
    assert project.failed_items() == {"wallet-idempotent", "wallet-reward"}
    result.stdout.fnmatch_lines(
        ["*[[]wallet-idempotent[]] a second completion of task * answered HTTP 200, expected 409*"]
    )
    idempotent = checks_of(project, "wallet-idempotent")[0]
    assert "10 of 10 concurrent completions succeeded, expected exactly 1" in idempotent["summary"]
    assert "completing a task twice paid 4 time(s)" in idempotent["summary"]
    assert_cleaned_up(project, runs=2)


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"allow_writes": False}, "set allow_writes = true"),
        ({"production": True}, "production = true"),
    ],
)
def test_flow_never_writes_where_the_profile_forbids(project, profile, reason):
    # Port 9 answers nothing: reaching for the target would block instead of skip.
    remote = {"kind": "remote", "base_url": "http://127.0.0.1:9", "health": {"wait_timeout_s": 0.5}}
    project.set_targets({"targets": {"remote": {**remote, **profile}}})
    result = project.run(WALLET, "--target=remote", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([f"*n/a: writes not allowed for target remote*{reason}*"])
    assert {t["outcome"] for t in project.results()["tests"]} == {"na"}


def test_two_workers_flows_at_once_stay_apart_and_clean(project):
    pytest.importorskip("xdist")
    (project.path / "suites" / "test_wallet_again.py").write_text(
        "import pytest\n"
        "from harness.suites.test_wallet_reward import wallet_run  # noqa: F401\n"
        "from harness.flow.wallet import check_wallet_idempotent, check_wallet_reward\n\n"
        "@pytest.mark.parametrize('n', range(3))\n"
        "@pytest.mark.checklist('wallet-reward')\n"
        "def test_reward_again(wallet_run, check, n):\n"
        "    check(check_wallet_reward(wallet_run.api, wallet_run.tags, wallet_run.ledger))\n\n"
        "@pytest.mark.parametrize('n', range(3))\n"
        "@pytest.mark.checklist('wallet-idempotent')\n"
        "def test_once_again(wallet_run, check, n):\n"
        "    check(check_wallet_idempotent(wallet_run.api, wallet_run.tags, wallet_run.ledger))\n"
    )
    result = project.run(WALLET, "suites/test_wallet_again.py", "-n", "2")
    result.assert_outcomes(passed=8)
    users = {c["evidence"]["user"] for c in checks_of(project, "wallet-reward")}
    assert len(users) == 4 and {u.split("-")[2] for u in users} == {"gw0", "gw1"}
    assert_cleaned_up(project, runs=8)


def test_bad_wallet_section_is_one_line_naming_the_key(project):
    remote = {"kind": "remote", "base_url": "http://127.0.0.1:9", "allow_writes": True,
              "wallet": {"routes": {"complet": "/x"}}}  # fmt: skip
    project.set_targets({"targets": {"remote": remote}})
    result = project.run(WALLET, "--target=remote")
    # Every section is validated at configure time: a usage error before the target is touched.
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: targets.remote.wallet.routes: unknown key 'complet'. Hint: known keys:*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert project.results()["status"] == "blocked"


API_TOKEN = "hv-refapp-token-5e1c9a"  # what the require_token mode asks for


def test_the_built_in_flow_sends_the_profiles_auth(project):
    # Issue 23: the built-in flow never sent [auth], so a protected app answered 401.
    project.set_targets({"targets": {"local": {"auth": {"token_env": "REFAPP_API_TOKEN"}}}})
    result = project.run(WALLET, faults="require_token", env={"REFAPP_API_TOKEN": API_TOKEN})
    result.assert_outcomes(passed=2)
    assert checks_of(project, "wallet-reward")[0]["evidence"]["balance_rise"] == 7
    assert_cleaned_up(project, runs=2)
    reports = "".join(p.read_text() for p in (project.path / "reports").rglob("*") if p.is_file())
    assert API_TOKEN not in result.stdout.str() + result.stderr.str() + reports


def test_a_refused_token_names_auth_not_the_route_mapping(project):
    project.set_targets({"targets": {"local": {"auth": {"token_env": "HV_OTHER_TOKEN"}}}})
    env = {"REFAPP_API_TOKEN": API_TOKEN, "HV_OTHER_TOKEN": "not-it-0000"}
    project.run(WALLET, faults="require_token", env=env)
    assert project.failed_items() == {"wallet-reward", "wallet-idempotent"}
    reward = checks_of(project, "wallet-reward")[0]
    assert "answered HTTP 401" in reward["summary"]
    assert "[targets.NAME.auth]" in reward["remediation"]
