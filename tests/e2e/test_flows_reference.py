"""The reference app's reward flow declared as data (flows/reference.toml): the same items
pass on the healthy app and fail on its reward faults, with numeric ids captured and chained."""

from __future__ import annotations

import pytest
from support import REPO

pytestmark = pytest.mark.stack

FLOW = {"include": str(REPO / "flows/reference.toml"), "poll_timeout_s": 0.5, "settle_s": 0.1}


def run(project, faults: str = ""):
    project.set_targets({"targets": {"local": {"flows": {"reference": FLOW}}}})
    return project.run("suites/test_flows.py", "suites/test_wallet_reward.py", "-rs", faults=faults)


def test_declared_reference_flow_is_green_and_replaces_the_built_in(project):
    result = run(project)
    result.assert_outcomes(passed=2, skipped=2)
    result.stdout.fnmatch_lines(["*the profile declares flows*"])
    tests = project.results()["tests"]
    reward = next(c for t in tests for c in t["checks"] if c["item"] == "wallet-reward")
    assert isinstance(reward["evidence"]["payments_by_account"], dict) and reward["evidence"]["balance_moved"] == 7
    assert all(c["ok"] for t in tests for c in t["checks"] if c["item"] == "cleanup")


def test_reward_dropped_fails_the_declared_reward_item_only(project):
    result = run(project, "reward_dropped")
    assert project.failed_items() == {"wallet-reward"}
    result.stdout.fnmatch_lines(["*[[]wallet-reward[]] credited nothing: *'s balance moved by 0, expected +7*"])
