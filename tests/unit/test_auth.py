"""Auth: bearer token from an env var or a login request; the token never shows."""

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from harness.config.targets import Target
from harness.errors import ConfigError
from harness.secrets import redact
from harness.transport.auth import auth_headers
from harness.transport.http import HttpClient

TOKEN = "eyJhbGciOi-test-token"


def target(auth: dict, base: Path = Path("/nonexistent")) -> Target:
    return Target(
        name="t", kind="remote", base_url="http://svc.test", raw={"auth": auth}, base_dir=base
    )


def client(handler) -> HttpClient:
    return HttpClient(
        "http://svc.test", transport=httpx.MockTransport(handler), sleep=lambda _: None
    )


def never(request):
    raise AssertionError("no request expected")


def test_no_auth_section_means_no_headers():
    assert auth_headers(Target(name="t", kind="remote"), client(never)) == {}


def test_token_from_env_is_a_masked_bearer_header(monkeypatch):
    monkeypatch.setenv("API_TOKEN", TOKEN)
    headers = auth_headers(target({"token_env": "API_TOKEN"}), client(never))
    assert headers == {"Authorization": f"Bearer {TOKEN}"}
    assert TOKEN not in repr(headers) and TOKEN not in str(headers)
    assert redact(f"sent {TOKEN}") == "sent ***"


def test_token_env_from_dotenv_and_custom_header(monkeypatch, tmp_path):
    monkeypatch.delenv("API_KEY", raising=False)
    (tmp_path / ".env").write_text(f"API_KEY={TOKEN}\n")
    spec = {"token_env": "API_KEY", "header": "X-Api-Key", "scheme": ""}
    assert auth_headers(target(spec, tmp_path), client(never)) == {"X-Api-Key": TOKEN}


def test_missing_token_env_names_the_variable(monkeypatch):
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="environment variable NOPE_TOKEN is not set"):
        auth_headers(target({"token_env": "NOPE_TOKEN"}), client(never))


@pytest.mark.parametrize("kind", ["form", "json"])
def test_login_form_or_json_gives_the_token(kind):
    seen = {}

    def handler(request):
        body = request.content.decode()
        seen["body"] = parse_qs(body) if kind == "form" else json.loads(body)
        return httpx.Response(200, json={"data": {"token": TOKEN}})

    spec = {
        "login": {
            "url": "/api/login",
            kind: {"username": "u", "password": "pw-secret-1"},
            "token_field": "data.token",
        }
    }
    headers = auth_headers(target(spec), client(handler))
    assert headers == {"Authorization": f"Bearer {TOKEN}"}
    assert seen["body"]["username"] in ("u", ["u"])
    assert redact("pw-secret-1 and " + TOKEN) == "*** and ***"


def test_failed_login_is_a_config_error_without_the_password():
    handler = lambda request: httpx.Response(401, json={"detail": "bad password pw-secret-2"})  # noqa: E731
    spec = {"login": {"url": "/login", "json": {"user": "u", "password": "pw-secret-2"}}}
    with pytest.raises(ConfigError, match="answered HTTP 401") as info:
        auth_headers(target(spec), client(handler))
    assert "pw-secret-2" not in info.value.one_line()


def test_login_answer_without_the_token_field_names_it():
    spec = {"login": {"url": "/login", "json": {"u": "x"}, "token_field": "access_token"}}
    with pytest.raises(ConfigError, match="no string at 'access_token'"):
        auth_headers(target(spec), client(lambda r: httpx.Response(200, json={"token": "x"})))


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"token_env": "A", "login": {"url": "/l", "json": {}}},
        {"login": {"url": "/l"}},
        {"login": {"url": "/l", "json": {}, "form": {}}},
        {"tokenenv": "A"},
    ],
)
def test_bad_auth_section_is_a_config_error(spec):
    with pytest.raises(ConfigError, match=r"targets\.t\.auth"):
        auth_headers(target(spec or {"header": "X"}), client(never))
