"""The blocked label names its cause (harness.report.causes, harness.errors.cause_of)."""

from __future__ import annotations

import httpx
import pytest

from harness.errors import (
    CAUSES,
    AppCodeError,
    DatabaseUnreachable,
    StackError,
    TargetUnavailable,
    TargetUnreachable,
    cause_of,
)
from harness.report.causes import CAUSE_WORDS, blocked_reason
from harness.report.present import blocking_line
from harness.transport.http import transport_cause


def test_every_cause_has_both_languages():
    assert set(CAUSE_WORDS) == set(CAUSES)
    assert all(set(words) == {"en", "ja"} for words in CAUSE_WORDS.values())


@pytest.mark.parametrize(("exc", "cause"), [
    (httpx.ConnectError("[Errno 111] Connection refused"), "unreachable"),
    (httpx.ConnectTimeout("timed out"), "timeout"),
    (httpx.ReadTimeout("timed out"), "timeout"),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), "connection_reset"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "connection_reset"),
])  # fmt: skip
def test_transport_errors_map_to_their_cause(exc, cause):
    assert transport_cause(exc) == cause


def test_the_exception_tree_carries_its_cause():
    assert cause_of(TargetUnreachable("x")) == "unreachable"
    assert cause_of(TargetUnreachable("x", cause="connection_reset")) == "connection_reset"
    assert cause_of(DatabaseUnreachable("x")) == "db_unreachable"
    assert cause_of(StackError("x")) == "stack_failed"
    assert cause_of(AppCodeError("x")) == "config"
    assert cause_of(TargetUnavailable("x", cause="deploy_not_live")) == "deploy_not_live"


def test_reason_line_and_blocking_line_in_both_languages():
    item = {"id": "routes", "status": "blocked", "required": True, "cause": "connection_reset",
            "reason": "blocked: GET http://127.0.0.1:1/openapi.json: Server disconnected (after 3 attempt(s))."}  # fmt: skip
    assert blocked_reason("routes", item, "en").startswith("blocked (the connection was reset): GET http://")
    assert blocked_reason("routes", item, "ja").startswith("ブロック（接続がリセットされました）: GET http://")
    payload = {"items": [item]}
    assert blocking_line(payload, "en") == "Blocks release: routes (blocked: the connection was reset)"
    assert blocking_line(payload, "ja") == "リリースを妨げている項目: routes (ブロック: 接続がリセットされました)"


def test_a_report_without_causes_reads_as_before():
    item = {"id": "health", "status": "blocked", "required": True, "reason": "blocked: x"}
    assert blocked_reason("health", item, "en") == "blocked: x"
    assert blocking_line({"items": [item]}, "en") == "Blocks release: health (blocked)"
    assert blocked_reason("health", {**item, "cause": "from-a-newer-harness"}, "en") == "blocked (from-a-newer-harness): x"
