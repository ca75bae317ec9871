"""Allure: labels from the checklist, environment and categories, nothing secret."""

from __future__ import annotations

import json
import re

from support import PLANTED_PASSWORD as PASSWORD


def results_by_name(run) -> dict[str, dict]:
    files = (run.path / "allure-results").glob("*-result.json")
    return {data["name"]: data for data in (json.loads(p.read_text(encoding="utf-8")) for p in files)}


def labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_tests_carry_epic_feature_and_severity(mixed_run):
    results = results_by_name(mixed_run)
    pgvector = results["test_pgvector_missing"]
    assert labels(pgvector, "epic") == ["Phase 1"]
    assert labels(pgvector, "feature") == ["pgvector"]
    assert labels(pgvector, "severity") == ["critical"]
    assert pgvector["status"] == "failed"
    assert labels(results["test_health_ok"], "feature") == ["health"]



def test_categories_sort_blocked_failed_and_not_run_apart(mixed_run):
    directory = mixed_run.path / "allure-results"
    categories = json.loads((directory / "categories.json").read_text(encoding="utf-8"))
    results = results_by_name(mixed_run)

    def category_of(name: str) -> str | None:
        result = results[name]
        message = result.get("statusDetails", {}).get("message", "")
        for category in categories:
            if result["status"] in category["matchedStatuses"] and re.fullmatch(category.get("messageRegex", ".*"), message, re.DOTALL):
                return category["name"]
        return None

    assert category_of("test_migration_head_unreachable") == "Target unreachable (blocked)"
    assert category_of("test_pgvector_missing") == "Product failure"
    assert category_of("test_wallet_reward_read_only") == "Configuration error"
    assert category_of("test_health_ok") is None


def test_environment_and_categories_are_written(mixed_run):
    directory = mixed_run.path / "allure-results"
    env = dict(
        line.split("=", 1) for line in (directory / "environment.properties").read_text(encoding="utf-8").splitlines()
    )
    assert env["target"] == "demo" and env["checklist"] == "phase1"
    assert env["target.database_url"] == "postgresql+psycopg://app:***@127.0.0.1:9/app"
    assert env["items"] == "2/16 (12.5%)" and env["db_version"] == "16.4"
    names = [c["name"] for c in json.loads((directory / "categories.json").read_text(encoding="utf-8"))]
    assert names == ["Target unreachable (blocked)", "Configuration error", "Product failure"]
    assert PASSWORD not in (directory / "environment.properties").read_text(encoding="utf-8")


def test_grouped_phase_then_item_with_evidence_attached(mixed_run):
    directory = mixed_run.path / "allure-results"
    results = results_by_name(mixed_run)
    pgvector = results["test_pgvector_missing"]
    assert labels(pgvector, "parentSuite") == ["Phase 1"] and labels(pgvector, "suite") == ["pgvector"]
    attached = {a["name"]: a for a in pgvector["attachments"]}
    assert {"evidence.json", "evidence.md"} <= set(attached)
    raw = json.loads((directory / attached["evidence.json"]["source"]).read_text(encoding="utf-8"))
    assert raw[0]["summary"] == "the vector extension is not installed"
    rendered = (directory / attached["evidence.md"]["source"]).read_text(encoding="utf-8")
    assert "| key | observed | expected |" in rendered and "| extension | — | vector >= 0.5.0 |" in rendered
    executor = json.loads((directory / "executor.json").read_text(encoding="utf-8"))
    assert executor["buildName"] == "phase1 demo: 2/16 items (12.5%)"
