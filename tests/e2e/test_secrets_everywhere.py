"""A token the target echoes back reaches no file, with or without xdist (issue 14).

The token comes from a login, so under ``-n 2`` only the workers ever see it; the
controller writes results.json, the checklist files and junit.xml and scrubs the Allure
folder. Every file the run leaves and all its output are searched for the token and the
login password.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.stack

TOKEN = "tok-planted-7c1d0e5b9a"
PASSWORD = "login-pw-4e2a8f"
# Echoed tokens that a cut, an escape or a stripped tag used to leave pieces of (issue 25).
LONG_TOKENS = {
    "43-chars": "Xq7vR2mK9pLw4sTz8nBc6yHd3fJg5aEu1oWi0kZtPrQ",
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiJoYXJuZXNzIn0" * 10 + ".c2lnbmF0dXJlLXBsYW50ZWQ",
    "markup": 'planted-left-half<"planted-right-half-with-more',
}

SUITE = """
import pytest
from harness.result import CheckResult


@pytest.mark.checklist("health")
@pytest.mark.parametrize("n", range(4))
def test_echo(http, auth_headers, check, n):
    answer = http.get("/api/health", headers=auth_headers).text
    print("the target said:", answer)
    check(CheckResult.failed("health", f"unexpected answer {answer}", remediation=answer,
                             body=answer, headers=dict(auth_headers)))
"""


class _EchoTarget(http.server.BaseHTTPRequestHandler):
    """Logs in anyone with the planted password; echoes the Authorization header."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode()
        ok = PASSWORD in form
        token = self.server.token  # type: ignore[attr-defined]
        self._send(200 if ok else 401, {"access_token": token} if ok else {"detail": "no"})

    def do_GET(self) -> None:
        sent = self.headers.get("Authorization")
        if "html" in self.path:  # markup around the echo: the snippet strips tags
            raw = f"<html><title>{sent}</title><p>{sent}</p></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return
        self._send(200, {"status": "ok", "you_sent": sent})

    def _send(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoTarget)
    server.token = TOKEN  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def echo_url(echo_server) -> Iterator[str]:
    echo_server.token = TOKEN
    yield f"http://127.0.0.1:{echo_server.server_address[1]}"


def _hits(result: pytest.RunResult, project, *secrets: str) -> dict[str, int]:
    texts = {"<stdout+stderr>": result.stdout.str() + result.stderr.str()}
    for path in project.path.rglob("*"):
        if path.is_file() and "suites" not in path.parts and path.suffix != ".py":
            texts[str(path.relative_to(project.path))] = path.read_text(errors="replace")
    return {name: n for name, text in texts.items() if (n := sum(text.count(s) for s in secrets))}


@pytest.mark.parametrize("extra", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_an_echoed_token_is_in_no_file(project, echo_url, extra):
    if extra:
        pytest.importorskip("xdist")
    pytest.importorskip("allure_pytest")
    (project.path / "suites" / "test_echo.py").write_text(SUITE)
    login = {"url": "/login", "form": {"username": "harness", "password": "${ECHO_PASSWORD}"}}
    project.set_targets({"targets": {"echo": {
        "kind": "remote", "base_url": echo_url, "auth": {"login": login},
        "health": {"path": "/api/health", "wait_timeout_s": 5.0},
    }}})  # fmt: skip
    result = project.run(
        "suites/test_echo.py", "--target=echo", "-vv", "--showlocals", "--alluredir=allure",
        "--junitxml=junit.xml", *extra, env={"ECHO_PASSWORD": PASSWORD},
    )  # fmt: skip
    result.assert_outcomes(failed=4)
    assert "***" in (project.path / "junit.xml").read_text()  # the echo was there, masked
    assert list((project.path / "allure").glob("*-result.json"))
    assert _hits(result, project, TOKEN, PASSWORD) == {}


PIECES_SUITE = SUITE.replace('"/api/health"', '"/api/health" if n % 2 else "/html"')


@pytest.mark.parametrize("name", sorted(LONG_TOKENS))
def test_no_piece_of_a_long_echoed_token_is_in_any_file(project, echo_server, echo_url, name):
    """Bodies are cut and tags stripped for the report: no 8-character run may survive."""
    pytest.importorskip("allure_pytest")
    token = echo_server.token = LONG_TOKENS[name]
    (project.path / "suites" / "test_echo.py").write_text(PIECES_SUITE)
    login = {"url": "/login", "form": {"username": "harness", "password": "${ECHO_PASSWORD}"}}
    project.set_targets({"targets": {"echo": {
        "kind": "remote", "base_url": echo_url, "auth": {"login": login},
        "health": {"path": "/api/health", "wait_timeout_s": 5.0},
    }}})  # fmt: skip
    result = project.run(
        "suites/test_echo.py", "--target=echo", "-vv", "--showlocals", "--alluredir=allure",
        "--junitxml=junit.xml", env={"ECHO_PASSWORD": PASSWORD},
    )  # fmt: skip
    result.assert_outcomes(failed=4)
    pieces = [token[i : i + 8] for i in range(len(token) - 7)]
    assert _hits(result, project, *pieces) == {}
