"""Retry/timeout logic of HttpClient, on httpx.MockTransport (no network)."""

import httpx
import pytest

from harness.errors import TargetUnreachable
from harness.transport.http import HttpClient


def client_for(handler, retries=2):
    return HttpClient(
        "http://svc.test", retries=retries, transport=httpx.MockTransport(handler), sleep=lambda _: None
    )


def test_gateway_errors_are_retried_then_succeed():
    answers = iter([502, 503, 200])
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(next(answers), json={"ok": True})

    assert client_for(handler).get("/h").status_code == 200
    assert len(calls) == 3


def test_gateway_error_after_retries_carries_method_url_status():
    with pytest.raises(TargetUnreachable) as info:
        client_for(lambda r: httpx.Response(504)).get("/api/health")
    err = info.value
    assert err.status_code == 504 and err.request.method == "GET"
    assert "GET http://svc.test/api/health: HTTP 504" in err.message
    assert "after 3 attempt(s)" in err.message


def test_connection_refused_is_unreachable_with_hint():
    def handler(request):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(TargetUnreachable) as info:
        client_for(handler).get("/x")
    assert "connection refused" in info.value.message and info.value.hint


def test_post_read_timeout_is_not_resent():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TargetUnreachable, match="timed out"):
        client_for(handler).post("/api/tasks", json={})
    assert len(calls) == 1


def test_app_errors_are_returned_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500)

    assert client_for(handler).get("/x").status_code == 500
    assert len(calls) == 1


def test_retry_false_returns_gateway_answer():
    assert client_for(lambda r: httpx.Response(502)).get("/x", retry=False).status_code == 502
