"""routes-reachable's classification and pool, on httpx.MockTransport (no network)."""

import threading

import httpx
import pytest

from harness.checks.reachability import ProbeContext, check_routes_reachable
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


@pytest.mark.parametrize("writes", [False, True])
def test_sent_methods_whatever_allow_writes_says(writes):
    seen = []

    def handler(request):
        seen.append(request.method)
        return make_handler({})(request)

    run(handler, ["POST /api/users", "DELETE /api/users/{id}", "PUT /x", "PATCH /y"], writes=writes)
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


def _authed_app(state):
    """/api/me answers 200 with the token (while the account exists) and 401 without;
    an OPTIONS probe of /api/me deletes the account when ``state["options_deletes"]``."""
    base = make_handler({})

    def handler(request):
        if request.url.path == "/api/me":
            if request.method == "OPTIONS" and state["options_deletes"]:
                state["deleted"] = True
                return app_json(405, b'{"detail":"Method Not Allowed"}')
            if request.headers.get("authorization") != "Bearer t0ken-x":
                return app_json(401, b'{"detail":"Not authenticated"}')
            return app_json(404 if state["deleted"] else 200, b'{"detail":"User not found"}' if state["deleted"] else b"{}")
        return base(request)

    return handler


def _run_authed(state):
    ctx = ProbeContext("http://svc.test", "/api/health", True, {"authorization": "Bearer t0ken-x"},
                       transport=httpx.MockTransport(_authed_app(state)))  # fmt: skip
    return check_routes_reachable(ctx, RoutesSpec(), [Route("GET", "/api/me"), Route("DELETE", "/api/me")])


def test_a_login_that_stops_authenticating_during_the_probes_fails_the_item():
    result = _run_authed({"options_deletes": True, "deleted": False})
    assert not result.ok
    assert result.summary.startswith(
        "the login's account no longer authenticates: GET /api/me answered HTTP 200 with its "
        "credentials before the probes and HTTP 404 after"
    )
    assert "deleted or disabled the account" in result.remediation
    assert "t0ken-x" not in str(result.to_dict())


def test_a_login_that_keeps_authenticating_is_recorded_as_the_witness():
    result = _run_authed({"options_deletes": False, "deleted": False})
    assert result.ok, result.summary
    assert result.evidence["auth_witness"] == {"path": "/api/me", "with_credentials": 200, "without": 401}
    assert "auth_witness" not in run(make_handler({"/api/x": app_json(200, b"{}")}), ["GET /api/x"]).evidence
