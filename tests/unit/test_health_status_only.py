"""[health] status_only (an app whose only cheap page is HTML) and a redirecting health path,
against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness.checks.health import check_health
from harness.config.targets import HealthSpec, resolve_target
from harness.errors import ConfigError
from harness.report.messages import translated
from harness.transport.http import HttpClient


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/setup-first":
            self.send_response(302)
            self.send_header("Location", "/setup")
            self.end_headers()
            return
        body = b"<!doctype html><h1>Board</h1>" if self.path == "/" else b"not here"
        self.send_response(200 if self.path == "/" else 500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_html_page_passes_status_only_and_fails_a_body_expectation(site: str) -> None:
    with HttpClient(site, retries=0) as client:
        judged = check_health(client, HealthSpec(path="/"))
        status_only = check_health(client, HealthSpec(path="/", status_only=True))
        broken = check_health(client, HealthSpec(path="/broken", status_only=True))
    assert judged.ok is False and "does not match" in judged.summary
    assert status_only.ok is True and "status only" in status_only.summary
    assert broken.ok is False and "answered HTTP 500" in broken.summary  # status still judged
    assert translated("health", status_only.summary)


def test_a_redirect_is_named_with_where_it_goes(site: str) -> None:
    with HttpClient(site, retries=0) as client:
        result = check_health(client, HealthSpec(path="/setup-first", status_only=True))
    assert result.ok is False
    assert "answered HTTP 302, a redirect to /setup" in result.summary
    assert result.remediation is not None and "setup page" in result.remediation
    assert translated("health", result.summary) and translated("health", result.remediation)


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ("status_only = 1\n", "expected true or false"),
        ('status_only = true\nexpect = "ok"\n', "expect is set too"),
    ],
)
def test_bad_status_only_is_one_line(tmp_path: Path, keys: str, words: str) -> None:
    (tmp_path / "targets.toml").write_text(
        f'[targets.t]\nkind = "remote"\nbase_url = "http://127.0.0.1:9"\n[targets.t.health]\npath = "/"\n{keys}'
    )
    with pytest.raises(ConfigError, match=words):
        resolve_target("t", tmp_path / "targets.toml")


def test_status_only_is_read_from_the_profile(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(
        '[targets.t]\nkind = "remote"\nbase_url = "http://127.0.0.1:9"\n[targets.t.health]\npath = "/"\nstatus_only = true\n'
    )
    assert resolve_target("t", tmp_path / "targets.toml").health.status_only
