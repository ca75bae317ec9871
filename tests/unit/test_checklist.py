"""Checklists: loading phase1.toml, validation, rolling outcomes up, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.report.checklist import (
    decide_exit,
    item_status,
    load_checklist,
    parse_checklist,
    summarise,
)

REPO = Path(__file__).resolve().parents[2]
DESIGN_ITEMS = [
    "health", "routes", "routes-reachable", "pgvector", "pgvector-usable", "migration-head",
    "schema-drift", "migration-rehearsal", "migration-roundtrip", "models-match", "wallet-reward", "wallet-idempotent", "cleanup",
]  # fmt: skip


def test_phase1_has_every_design_item_in_both_languages():
    checklist = load_checklist("phase1", REPO / "checklists")
    automated = [item for item in checklist.items if not item.manual]
    assert [item.id for item in automated] == [*DESIGN_ITEMS, "db-reconnect", "parity"]
    assert checklist.item("parity").required  # n/a (not counted) without a counterpart
    assert all(item.required for item in automated if item.id in DESIGN_ITEMS)
    assert not checklist.item("db-reconnect").required  # optional (issue 14)
    manual = {item.id: item for item in checklist.items if item.manual}
    assert manual["docs-updated"].title_in("ja").startswith("ドキュメント更新")
    assert manual["docs-updated"].required
    for item in checklist.items:
        assert item.title["en"] != item.title["ja"]
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", item.title["ja"]), item.id
    assert checklist.phase == {"en": "Phase 1", "ja": "フェーズ1"}


def test_unknown_checklist_names_the_known_ones(tmp_path):
    (tmp_path / "phase1.toml").write_text('[[items]]\nid = "health"\n')
    with pytest.raises(ConfigError) as caught:
        load_checklist("phase2", tmp_path)
    assert "checklist 'phase2' not found" in caught.value.one_line()
    assert "one of: phase1" in caught.value.one_line()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "no [[items]]"),
        ({"items": [{"title": "x"}]}, 'an item needs id = "..."'),
        ({"items": [{"id": "a"}, {"id": "a"}]}, "item 'a' appears twice"),
        ({"items": [{"id": "a", "requred": True}]}, "unknown key 'requred'"),
        ({"items": [{"id": "a", "required": "yes"}]}, "items[0].required: expected true or false"),
        ({"items": [{"id": "a", "title": 3}]}, "items[0].title: expected a string"),
    ],
)
def test_malformed_checklist_is_a_config_error_naming_the_key(document, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_checklist(document, "x.toml", default_id="x")


def test_plain_string_title_serves_both_languages():
    checklist = parse_checklist({"items": [{"id": "a", "title": "Alpha"}]}, "x.toml", default_id="x")
    assert checklist.items[0].title_in("ja") == "Alpha" and checklist.phase["en"] == "x"


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        (["passed", "passed"], "pass"),
        (["passed", "skipped"], "pass"),
        (["passed", "failed"], "fail"),
        (["blocked", "error"], "fail"),
        (["passed", "blocked"], "blocked"),
        (["skipped"], "not_run"),
        ([], "not_run"),
    ],
)
def test_item_status_rolls_up_outcomes(outcomes, status):
    assert item_status(outcomes) == status


def entry(status: str, *, required: bool = True, manual: bool = False, in_scope: bool = True) -> dict:
    return {"id": status, "status": status, "required": required, "manual": manual, "in_scope": in_scope}


@pytest.mark.parametrize(
    ("pytest_exit", "items", "other_failures", "expected"),
    [
        (0, [entry("pass"), entry("not_run", in_scope=False)], False, 0),  # a subset was selected
        (1, [entry("pass"), entry("fail")], False, 1),
        (1, [entry("pass"), entry("fail", required=False)], False, 0),  # optional items do not gate
        (0, [entry("pass"), entry("not_run")], False, 1),  # collected but all skipped: not done
        (0, [entry("blocked"), entry("pass")], False, 75),
        (0, [entry("blocked"), entry("not_run")], False, 75),  # blocked outranks not run: retry
        (0, [entry("pass"), entry("na")], False, 0),  # n/a never gates
        (1, [entry("pass"), entry("interrupted")], False, 2),  # a test that did not finish
        (1, [entry("blocked"), entry("fail")], False, 1),
        (0, [entry("pass"), entry("not_run", manual=True)], False, 0),  # manual: ticked at sign-off
        (1, [entry("pass")], True, 1),  # a failing unmarked test or a collection error still fails
        (4, [entry("pass")], False, 4),
        (2, [entry("pass")], False, 2),
        (5, [entry("not_run", in_scope=False)], False, 5),
    ],
)
def test_exit_code_from_item_statuses(pytest_exit, items, other_failures, expected):
    assert decide_exit(pytest_exit, items, other_failures=other_failures, target_unavailable=False) == expected


def test_nothing_collected_with_a_dead_stack_is_blocked():
    assert decide_exit(5, [], other_failures=False, target_unavailable=True) == 75


def test_summary_counts_every_item_and_rounds_to_one_decimal():
    items = [entry("pass")] * 9 + [entry("fail"), entry("blocked"), entry("not_run")]
    summary = summarise(items)
    assert (summary["done"], summary["total"], summary["percent"]) == (9, 12, 75.0)
    assert summarise([entry("pass"), entry("fail"), entry("fail")])["percent"] == 33.3
    assert summarise([])["percent"] == 0.0
