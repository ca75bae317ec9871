"""Verdict plumbing in isolation: which answers block, which fail, which need a person.

httpx.MockTransport stands in for the wire only where retry/timeout logic is judged.
"""

from __future__ import annotations

import httpx
import pytest

from harness.errors import ConfigError, DatabaseUnreachable, TargetHung, TargetUnreachable
from harness.report.checklist import item_status, summarise
from harness.report.results import TestRecord as Record
from harness.transport.db import database_unreachable, make_engine
from harness.transport.http import HttpClient
from harness.transport.wait import HttpWaitStrategy


def test_the_apps_own_503_for_the_whole_wait_is_its_answer_not_a_cold_start():
    def handler(request):
        return httpx.Response(503, json={"status": "error", "database": "error: refused"})

    strategy = HttpWaitStrategy(
        "http://svc.test/h", timeout_s=0.1, interval_s=0.02, transport=httpx.MockTransport(handler)
    )
    response = strategy.wait()
    assert response.status_code == 503 and response.json()["database"] == "error: refused"


def test_a_gateway_503_page_for_the_whole_wait_blocks_and_shows_the_page():
    strategy = HttpWaitStrategy(
        "http://svc.test/h", timeout_s=0.1, interval_s=0.02,
        transport=httpx.MockTransport(lambda r: httpx.Response(503, text="upstream down")),
    )  # fmt: skip
    with pytest.raises(TargetUnreachable, match="HTTP 503: 'upstream down'"):
        strategy.wait()


def hanging(request):
    raise httpx.ReadTimeout("timed out", request=request)


def test_a_read_timeout_after_the_app_answered_is_a_hang_that_fails():
    client = HttpClient(
        "http://svc.test", retries=1, transport=httpx.MockTransport(hanging),
        sleep=lambda s: None, answered_before=True,
    )  # fmt: skip
    with pytest.raises(TargetHung, match="never answered") as info:
        client.get("/api/x")
    assert isinstance(info.value, AssertionError)  # → failed, exit 1, not blocked
    assert "cold-starting" not in info.value.one_line()


def test_a_read_timeout_before_any_answer_may_be_a_cold_start():
    client = HttpClient("http://svc.test", retries=0, transport=httpx.MockTransport(hanging))
    with pytest.raises(TargetUnreachable, match="timed out"):
        client.get("/api/x")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ('FATAL:  password authentication failed for user "app"', ConfigError),
        ('FATAL:  database "nope" does not exist', ConfigError),
        ('FATAL:  role "ghost" does not exist', ConfigError),
        ("connection to server failed: Connection refused", DatabaseUnreachable),
        ("FATAL:  the database system is starting up", DatabaseUnreachable),
    ],
)
def test_database_errors_are_permanent_or_retryable(message, kind):
    engine = make_engine("postgresql+psycopg://app:pw@127.0.0.1:1/db")
    error = database_unreachable(engine, Exception(message))
    assert type(error) is kind
    assert "pw" not in error.one_line().replace("psycopg", "")


class Report:
    def __init__(self, when: str, outcome: str = "passed", longrepr=None) -> None:
        self.when, self.outcome, self.longrepr = when, outcome, longrepr
        self.duration, self.user_properties, self.longreprtext = 0.0, [], ""
        self.passed, self.failed, self.skipped = outcome == "passed", outcome == "failed", outcome == "skipped"


def test_a_test_whose_call_never_reported_is_interrupted():
    record = Record("suites/x.py::t")
    record.absorb(Report("setup"))  # Ctrl-C during the call: no call, no teardown report
    assert record.to_dict()["outcome"] == "interrupted"
    for when in ("call", "teardown"):
        record.absorb(Report(when))
    assert record.to_dict()["outcome"] == "passed"


def test_a_skip_marked_na_is_na_and_rolls_up_to_na():
    record = Record("suites/x.py::t")
    record.absorb(Report("setup", "skipped", ("x.py", 1, "Skipped: n/a: no vectors here")))
    assert record.to_dict()["outcome"] == "na"
    assert item_status(["na", "na"]) == "na"
    assert item_status(["na", "skipped"]) == "not_run"
    assert item_status(["passed", "interrupted"]) == "interrupted"


def test_na_items_are_left_out_of_n_of_m():
    items = [
        {"id": "a", "status": "pass", "required": True},
        {"id": "b", "status": "na", "required": True},
        {"id": "c", "status": "pass", "required": True},
    ]
    summary = summarise(items)
    assert (summary["done"], summary["total"], summary["percent"]) == (2, 2, 100.0)
    assert summary["required_not_passing"] == []


def test_the_published_json_schema_is_current_and_knows_the_shipped_profiles():
    import json
    import tomllib
    from pathlib import Path

    from harness.config.jsonschema import targets_schema
    from harness.config.profile import SECTIONS

    root = Path(__file__).resolve().parents[2]
    schema = targets_schema()
    assert json.loads((root / "targets.schema.json").read_text()) == schema  # python -m harness targets schema
    profile = schema["properties"]["targets"]["additionalProperties"]
    assert set(SECTIONS) <= set(profile["properties"]) and profile["additionalProperties"] is False
    for name, table in tomllib.loads((root / "targets.toml").read_text())["targets"].items():
        assert set(table) <= set(profile["properties"]), name


def test_unknown_names_get_the_nearest_known_one():
    from harness.config.profile import reject_unknown_names

    cases = [
        ({"producton": True}, "targets.x: unknown key 'producton'. Hint: did you mean 'production'?"),
        ({"walet": {}}, "targets.x: unknown section 'walet'. Hint: did you mean 'wallet'?"),
        ({"health": "/h"}, "targets.x.health: expected a table"),
    ]
    for table, words in cases:
        with pytest.raises(ConfigError) as info:
            reject_unknown_names(table, "targets.x")
        assert info.value.one_line().startswith(words)
