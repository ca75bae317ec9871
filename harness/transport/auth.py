"""Authenticating the harness's requests: a bearer token from an env var, or a login request.

``[targets.NAME.auth]``, one of::

    token_env = "STAGING_API_TOKEN"          # the token itself is in this variable

    [targets.NAME.auth.login]                # or log in once per run and use the token
    url = "/api/v1/login/access-token"       # a path on base_url, or an absolute URL
    form = { username = "${STAGING_USER}", password = "${STAGING_PASSWORD}" }   # or json = {...}
    token_field = "access_token"             # dotted for nested bodies: "data.token"

``header`` (default ``Authorization``) and ``scheme`` (default ``Bearer``; "" for a bare
token) shape the header. The token and the login body's values are registered as secrets:
they never reach the terminal, results.json or a report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dotenv import dotenv_values

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError, TargetFault
from harness.messages.core import msg
from harness.secrets import MASK, clip, redact, register_secret
from harness.transport.http import HttpClient

_KNOWN = {"token_env", "login", "header", "scheme"}
_LOGIN_KNOWN = {"url", "json", "form", "token_field"}


class SecretHeaders(dict[str, str]):
    """Request headers whose values never show: pytest prints fixture values in a failing
    test's traceback, and a token must not reach the terminal that way."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{key!r}: {MASK!r}" for key in self) + "}"


@dataclass(frozen=True)
class LoginSpec:
    url: str
    body: Mapping[str, Any]
    as_form: bool
    token_field: str = "access_token"


@dataclass(frozen=True)
class AuthSpec:
    token_env: str | None = None
    login: LoginSpec | None = None
    header: str = "Authorization"
    scheme: str = "Bearer"
    where: str = field(default="auth", compare=False)


def auth_spec(target: Target) -> AuthSpec | None:
    """``None`` when the profile says nothing about auth (requests go unauthenticated)."""
    table = target.section("auth")
    if not table:
        return None
    where = f"targets.{target.name}.auth"
    reject_unknown_keys(table, _KNOWN, where)
    token_env, login = table.get("token_env"), table.get("login")
    if bool(token_env) == bool(login):
        raise ConfigError(
            msg("auth.one_of", where=where), hint=msg("auth.see_docs")
        )
    if token_env is not None and not isinstance(token_env, str):
        raise ConfigError(
            msg("auth.token_env_name", where=where), hint=msg("auth.token_env_example")
        )
    return AuthSpec(
        token_env=token_env or None,
        login=_login(login, f"{where}.login") if login else None,
        header=str(table.get("header", "Authorization")),
        scheme=str(table.get("scheme", "Bearer")),
        where=where,
    )


def _login(table: Any, where: str) -> LoginSpec:
    if not isinstance(table, Mapping):
        raise ConfigError(msg("auth.expected_table", where=where), hint=msg("auth.use_login_table"))
    reject_unknown_keys(table, _LOGIN_KNOWN, where)
    if not isinstance(table.get("url"), str) or ("json" in table) == ("form" in table):
        raise ConfigError(
            msg("auth.login_shape", where=where), hint=msg("auth.see_docs")
        )
    body = table.get("json", table.get("form"))
    if not isinstance(body, Mapping):
        raise ConfigError(
            msg("auth.body_table", where=where), hint=msg("auth.body_example")
        )
    for value in body.values():
        register_secret(str(value))  # interpolated credentials: never print them
    return LoginSpec(
        table["url"], dict(body), "form" in table, str(table.get("token_field", "access_token"))
    )


def auth_headers(target: Target, client: HttpClient) -> SecretHeaders:
    """Headers that authenticate as the profile says; empty without an auth section."""
    spec = auth_spec(target)
    if spec is None:
        return SecretHeaders()
    token = _token_from_env(spec, target) if spec.token_env else _log_in(spec, client)
    register_secret(token, pieces=True)  # echoed back, cut, escaped: every run masked
    return SecretHeaders({spec.header: f"{spec.scheme} {token}".strip()})


def register_configured_secrets(target: Target) -> None:
    """What the profile alone reveals (login body values, a token_env's value), registered
    without any request: the xdist controller writes every file, and must know them even
    though only workers authenticate. A missing variable is the fixture's error to report."""
    try:
        spec = auth_spec(target)  # registers the login body's values
        if spec is not None and spec.token_env:
            register_secret(_token_from_env(spec, target), pieces=True)
    except ConfigError:
        pass


def _token_from_env(spec: AuthSpec, target: Target) -> str:
    assert spec.token_env is not None
    value = os.environ.get(spec.token_env) or dotenv_values(target.base_dir / ".env").get(
        spec.token_env
    )
    if not value:
        raise ConfigError(
            msg("auth.token_unset", where=spec.where, var=spec.token_env), hint=msg("auth.token_unset_hint", var=spec.token_env),
        )
    return value


def _log_in(spec: AuthSpec, client: HttpClient) -> str:
    login = spec.login
    assert login is not None
    payload = {"data": login.body} if login.as_form else {"json": login.body}
    response = client.post(login.url, **payload)
    if response.status_code >= 500:  # the target broke, not the credentials: exit 1
        raise TargetFault(
            msg("auth.login_5xx", where=spec.where, url=redact(str(response.request.url)), status=response.status_code,
                body=redact(clip(response.text, 200))),
            hint=msg("auth.login_5xx_hint"),
        )  # fmt: skip
    if not response.is_success:  # 401/403/404/422: the profile or the credentials: exit 4
        raise ConfigError(
            msg("auth.login_5xx", where=spec.where, url=redact(login.url), status=response.status_code,
                body=redact(clip(response.text, 200))),
            hint=msg("auth.login_refused_hint"),
        )
    token = _field(_json(response), login.token_field)
    if not isinstance(token, str) or not token:
        raise ConfigError(
            msg("auth.no_token", where=spec.where, field=repr(login.token_field)), hint=msg("auth.no_token_hint"),
        )
    return token


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _field(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        body = body.get(part) if isinstance(body, Mapping) else None
    return body
