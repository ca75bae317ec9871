"""Declared flows as data: parsing, templating and JSON-pointer captures (no I/O)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest

from harness.errors import ConfigError
from harness.flow.api import Tagger
from harness.flow.declare import parse_flow
from harness.flow.races import amount_of, overpaid, server_errors
from harness.flow.steps import FlowContext, StepRunner, resolve_pointer
from harness.secrets import register_secret

REPO = Path(__file__).resolve().parents[2]
STEP = {"name": "credit", "method": "POST", "path": "/ledger", "json": {"owner": "{run_tag}"}}


def flow(**extra: object) -> dict:
    return {"amount": 7, "balance": {"path": "/b/{account}"}, "steps": [STEP], **extra}


def test_the_ledger_flow_file_parses_with_its_items():
    spec = parse_flow("ledger", tomllib.loads((REPO / "flows/ledger.toml").read_text()), "flows.ledger")
    assert spec.items() == ["wallet-reward", "wallet-idempotent"]
    assert spec.burst is not None and (spec.burst.concurrency, spec.burst.bursts) == (10, 5)
    assert spec.replay is not None and spec.replay.refused == (409,)


def test_templates_keep_types_and_fill_inside_strings():
    context = FlowContext.new(Tagger("r20261123t101500ab", "gw0"))
    context.capture("task_id", 42)
    body = context.render({"id": "{task_id}", "path": "/t/{task_id}/x", "n": "{nonce}", "k": [1, "{run_tag}"]}, "w")
    assert body["id"] == 42 and body["path"] == "/t/42/x"
    assert body["n"].startswith("hv-r20261123t101500ab-gw0-1") and body["k"][1] == "hv-r20261123t101500ab-gw0-1"


def test_an_unknown_placeholder_is_a_config_error_naming_it():
    context = FlowContext.new(Tagger("r20261123t101500ab", "gw0"))
    with pytest.raises(ConfigError, match=r"placeholder \{user_id\}"):
        context.render("/users/{user_id}", "flows.x.steps.read")


def test_json_pointer_reads_objects_lists_and_escapes():
    document = {"a/b": [{"id": "s-1"}, {"id": 2}], "m~n": 3}
    assert resolve_pointer(document, "/a~1b/1/id") == 2
    assert resolve_pointer(document, "/a~1b/0/id") == "s-1"
    assert resolve_pointer(document, "/m~0n") == 3
    with pytest.raises(KeyError):
        resolve_pointer(document, "/missing")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"stepz": []}, "unknown key 'stepz'"),
        ({"burst": {"step": "nope"}}, "no step named 'nope'"),
        ({"burst": {"concurrency": 1}}, "concurrency: expected an integer >= 2"),
        ({"rows": [{"table": "x; DROP TABLE y", "tag_columns": ["a"]}]}, "is not a table or column name"),
        ({"rows": [{"table": "t"}]}, "give tag_columns or ids"),
        ({"balance": {}}, "give exactly one of path or sql"),
        ({"sql_invariants": [{"name": "n", "item": "i", "query": "SELECT 1"}]}, "expect: missing"),
    ],
)
def test_bad_declarations_are_one_line_config_errors(extra, message):
    with pytest.raises(ConfigError, match=message):
        parse_flow("f", flow(**extra), "targets.t.flows.f")


def test_capture_must_be_a_json_pointer():
    bad = {**STEP, "capture": {"id": "id"}}
    with pytest.raises(ConfigError, match="is not a JSON pointer"):
        parse_flow("f", flow(steps=[bad]), "targets.t.flows.f")


class _Balances:
    """Answers balance reads from a list (the last one repeats); counts the reads."""

    def __init__(self, *balances: int) -> None:
        self.balances, self.reads = list(balances), 0

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        value = self.balances[min(self.reads, len(self.balances) - 1)]
        self.reads += 1
        return httpx.Response(200, json={"balance": value}, request=httpx.Request("GET", path))


def runner_over(client: _Balances) -> StepRunner:
    spec = parse_flow("f", flow(poll_interval_s=0.01), "flows.f")
    return StepRunner(client, spec, engine=None)  # type: ignore[arg-type]


def test_a_late_second_payment_inside_the_window_is_seen():
    client = _Balances(7, 7, 7, 14)
    assert runner_over(client).watch("a", baseline=7, window_s=30.0) == 14
    assert client.reads == 4  # stopped as soon as it moved, not at the end of the window


def test_no_second_payment_costs_the_window_and_returns_the_baseline():
    client = _Balances(7)
    assert runner_over(client).watch("a", baseline=7, window_s=0.05) == 7
    assert client.reads >= 2


def test_unique_is_new_for_every_request_and_starts_with_the_tag():
    context = FlowContext.new(Tagger("r20261123t101500ab", "gw0"))
    step = parse_flow("f", flow(steps=[{**STEP, "json": {"n": "{unique}", "again": "{unique}"}}]), "w").steps[0]
    bodies = [context.render_request(step, "w")[1] for _ in range(3)]
    assert len({b["n"] for b in bodies}) == 3  # distinct per request
    assert all(b["n"] == b["again"] and b["n"].startswith(context.run_tag) for b in bodies)  # one per request


@pytest.mark.parametrize(
    ("amount", "ok"), [(7, True), (-10, True), ("{price}", True), (0, False), ("7", False), ("{a} {b}", False), (True, False)]
)
def test_amount_is_a_non_zero_integer_or_one_captured_value(amount, ok):
    if ok:
        assert parse_flow("f", flow(amount=amount), "w").amount == amount
    else:
        with pytest.raises(ConfigError, match="amount: expected a non-zero integer or one captured value"):
            parse_flow("f", flow(amount=amount), "w")


@pytest.mark.parametrize(
    "extra",
    [{"steps": [{**STEP, "expect": [201, 500]}]}, {"replay": {"step": "credit", "refused": [409, 503]}}],
)
def test_a_server_error_can_never_be_expected(extra):
    with pytest.raises(ConfigError, match="is a server error, which always fails the flow's item"):
        parse_flow("f", flow(**extra), "targets.t.flows.f")


def test_a_captured_amount_is_read_from_the_context_and_must_be_a_number():
    spec = parse_flow("f", flow(amount="{paid}"), "targets.t.flows.f")
    context = FlowContext.new(Tagger("r20261123t101500ab", "gw0"))
    context.capture("paid", 7.0)
    assert amount_of(spec, context) == 7
    context.capture("paid", "seven")
    with pytest.raises(ConfigError, match=r"amount: \{paid\} is 'seven' here, not a non-zero whole number"):
        amount_of(spec, context)


def test_a_debit_overpays_when_it_moves_further_down():
    assert overpaid(-20, -10) and not overpaid(-10, -10) and overpaid(14, 7) and not overpaid(7, 7)


def test_server_errors_name_status_and_masked_body():
    register_secret("s3cret-token-xyz")
    answers = [
        httpx.Response(201, json={}),
        httpx.Response(500, text="boom s3cret-token-xyz"),
        "ReadError: connection reset",
    ]
    assert server_errors(answers) == ["HTTP 500: 'boom ***'", "no answer: ReadError: connection reset"]
