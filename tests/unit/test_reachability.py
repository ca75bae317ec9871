"""routes-reachable's classification and pool, on httpx.MockTransport (no network)."""

import threading

import httpx
import pytest

from harness.checks.reachability import ProbeContext, check_routes_reachable, request_for
from harness.checks.routelist import Route, RoutesSpec

APP = {"server": "uvicorn"}
NO_ROUTE = b'{"detail":"Not Found"}'


def app_json(status, body):
    return httpx.Response(status, content=body, headers={**APP, "content-type": "application/json"})


def run(handler, routes, *, writes=False, **spec):
    ctx = ProbeContext(
        "http://svc.test", "/api/health", writes, transport=httpx.MockTransport(handler)
    )
    return check_routes_reachable(
        ctx, RoutesSpec(**spec), [Route(*r.split(" ", 1)) for r in routes]
    )


def make_handler(answers):
    """Health and the calibration path answer like the app; ``answers`` maps paths."""

    def handler(request):
        path = request.url.path
        if path == "/api/health":
            return app_json(200, b'{"status":"ok"}')
        if path in answers:
            answer = answers[path]
            if isinstance(answer, Exception):
                raise answer
            return answer
        return app_json(404, NO_ROUTE)

    return handler


def verdicts(result):
    return {line.split(" -> ")[0]: line.split(": ", 1)[1] for line in result.evidence["answers"]}


def test_app_404_for_missing_id_is_reachable_but_no_route_and_proxy_404_are_not():
    html = httpx.Response(
        404,
        text="<html><title>404 Not Found</title></html>",
        headers={"server": "nginx", "content-type": "text/html"},
    )
    result = run(
        make_handler(
            {
                "/api/users/0": app_json(404, b'{"detail":"user not found"}'),
                "/api/wallet/supply": html,
            }
        ),
        ["GET /api/users/{user_id}", "GET /api/wallet/supply", "GET /api/gone"],
    )
    assert not result.ok
    answers = verdicts(result)
    assert answers["GET /api/users/{user_id}"].startswith("HTTP 404 from the app itself")
    assert (
        answers["GET /api/wallet/supply"]
        == "HTTP 404 not from the app: server 'nginx', text/html, body '404 Not Found'"
    )
    assert answers["GET /api/gone"].startswith("HTTP 404 from the app, which has no such route")
    assert result.evidence["verdicts"] == {"app": 1, "proxy-404": 1, "app-no-route": 1}
    assert "proxy" in result.remediation  # the proxy is named first: it hides the app


def test_json_404_with_another_server_header_is_not_the_app():
    caddy = httpx.Response(404, json={"error": "no upstream"}, headers={"server": "Caddy"})
    result = run(make_handler({"/api/x": caddy}), ["GET /api/x"])
    assert result.evidence["verdicts"] == {"proxy-404": 1}


@pytest.mark.parametrize(
    ("answer", "verdict", "words"),
    [
        (
            httpx.Response(502, text="Bad Gateway", headers={"server": "nginx"}),
            "gateway",
            "HTTP 502 not from the app",
        ),
        (httpx.ConnectError("[Errno 111] Connection refused"), "refused", "connection refused"),
        (httpx.ReadTimeout("slow"), "timeout", "timed out"),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            "tls",
            "TLS failure",
        ),
    ],
)
def test_nothing_useful_answered(answer, verdict, words):
    result = run(make_handler({"/api/x": answer}), ["GET /api/x"])
    assert result.evidence["verdicts"] == {verdict: 1}
    assert words in result.evidence["unreachable"][0]


@pytest.mark.parametrize("status", [401, 403, 405, 422])
def test_any_status_the_app_produces_counts_as_reachable(status):
    assert run(make_handler({"/api/x": app_json(status, b'{"detail":"no"}')}), ["GET /api/x"]).ok


def test_a_gateway_blip_is_retried_once_for_safe_methods():
    answers = iter([httpx.Response(503), app_json(200, b"[]")])
    result = run(_sequence("/api/x", answers), ["GET /api/x"])
    assert result.ok


def _sequence(path, answers):
    base = make_handler({})

    def handler(request):
        return next(answers) if request.url.path == path else base(request)

    return handler


def test_writing_routes_are_never_sent_without_permission():
    route, spec = (
        Route("POST", "/api/tasks/{task_id}/complete"),
        RoutesSpec(path_params={"task_id": "7"}),
    )
    assert request_for(route, spec, writes_allowed=False) == (
        "OPTIONS",
        "/api/tasks/7/complete",
        {},
    )
    assert request_for(route, RoutesSpec(write_probe="send"), writes_allowed=False)[0] == "OPTIONS"
    assert request_for(route, spec, writes_allowed=True) == (
        "POST",
        "/api/tasks/7/complete",
        {"json": {}},
    )
    assert (
        request_for(route, RoutesSpec(write_probe="options"), writes_allowed=True)[0] == "OPTIONS"
    )
    assert (
        request_for(Route("GET", "/a/{slug}"), RoutesSpec(path_params={"slug": "a b/c"}), False)[1]
        == "/a/a%20b%2Fc"
    )


def test_sent_methods_with_writes_disallowed():
    seen = []

    def handler(request):
        seen.append(request.method)
        return make_handler({})(request)

    run(handler, ["POST /api/users", "DELETE /api/users/{id}", "PUT /x", "PATCH /y"])
    assert set(seen) == {"GET", "OPTIONS"}  # GET: the health fingerprint and calibration


def test_probes_run_concurrently_but_bounded():
    in_flight, peak, lock = [0], [0], threading.Lock()
    meet = threading.Barrier(3, timeout=10)  # three probes must be in flight together

    def handler(request):
        if request.url.path.startswith("/r/"):
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            if request.url.path in ("/r/0", "/r/1", "/r/2"):
                meet.wait()
            with lock:
                in_flight[0] -= 1
            return app_json(200, b"{}")
        return make_handler({})(request)

    result = run(handler, [f"GET /r/{i}" for i in range(40)], concurrency=3)
    assert result.ok and result.evidence["probed"] == 40
    assert peak[0] == 3
