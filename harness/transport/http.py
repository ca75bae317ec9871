"""The harness's HTTP client: base URL, timeouts, bounded retries, errors that say what.

Retries are for the network and the platform, not the app: connection errors, and the
gateway answers a PaaS gives while it wakes or redeploys a service (502/503/504). Anything
else the app answered is returned as is, for the checks to judge.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from harness.errors import (
    CONNECTION_RESET,
    GATEWAY,
    TIMEOUT,
    UNREACHABLE,
    CertificateUntrusted,
    TargetHung,
    TargetUnreachable,
)
from harness.messages.core import msg
from harness.secrets import redact

GATEWAY_STATUSES = frozenset({502, 503, 504})
# Only these are safe to resend after the request may have reached the app.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)


class HttpClient:
    """A thin wrapper over ``httpx.Client`` bound to one target's base URL."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 0.25,
        headers: Mapping[str, str] | None = None,
        verify: Any = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        answered_before: bool = False,
    ) -> None:
        """``answered_before``: the cold-start wait saw the target answer, so a request it
        later accepts and never answers is the app hanging, not the platform waking."""
        self.base_url = base_url.rstrip("/")
        self.answered_before = answered_before
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._settings: dict[str, Any] = {
            "base_url": self.base_url, "timeout": timeout_s, "headers": dict(headers or {}),
            "verify": verify, "transport": transport, "follow_redirects": False,
        }  # fmt: skip
        self._client = httpx.Client(**self._settings)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def request(
        self, method: str, path: str, *, retry: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Send with bounded retries. Raises ``TargetUnreachable`` when no usable answer came."""
        method = method.upper()
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if last or not self._may_resend(method, exc):
                    raise self._unreachable(exc, method, path, attempt) from exc
            else:
                self.answered_before = True
                if response.status_code not in GATEWAY_STATUSES or not retry:
                    return response
                if last or method not in IDEMPOTENT_METHODS:
                    raise self._gateway_error(response, attempt)
            self._sleep(self.backoff_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def request_on_new_connection(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send once on a connection of its own: after a kept-alive connection was reset (the
        server closed it after a 500, say), resending on the pool could meet another stale one."""
        client = httpx.Client(**self._settings)
        try:
            response = client.request(method.upper(), path, **kwargs)
        except httpx.TransportError as exc:
            raise self._unreachable(exc, method.upper(), path, 1) from exc
        finally:
            if self._settings["transport"] is None:  # a given transport is shared: keep it open
                client.close()
        self.answered_before = True
        return response

    @staticmethod
    def _may_resend(method: str, exc: httpx.TransportError) -> bool:
        """A refused connection never reached the app, so even a POST may be resent."""
        return isinstance(exc, _CONNECT_ERRORS) or method in IDEMPOTENT_METHODS

    def _unreachable(
        self, exc: httpx.TransportError, method: str, path: str, attempts: int
    ) -> TargetUnreachable | TargetHung | CertificateUntrusted:
        url = f"{self.base_url}{path}"
        reason = describe_transport_error(exc)
        if self.answered_before and isinstance(exc, httpx.ReadTimeout):
            return TargetHung(
                msg("http.hung", request=redact(f"{method} {url}"), attempts=attempts), hint=msg("http.hung_hint")
            )
        if reason.startswith("TLS failure"):  # a person must act: a retry cannot help
            return CertificateUntrusted(msg("http.tls_failed", request=redact(f"{method} {url}"), reason=reason), hint=_hint_for(exc))
        return TargetUnreachable(
            msg("http.unreachable", request=redact(f"{method} {url}"), reason=reason, attempts=attempts),
            request=getattr(exc, "_request", None),
            hint=_hint_for(exc),
            cause=transport_cause(exc),
        )

    @staticmethod
    def _gateway_error(response: httpx.Response, attempts: int) -> TargetUnreachable:
        request = response.request
        return TargetUnreachable(
            msg("http.gateway", request=redact(f"{request.method} {request.url}"), status=response.status_code, attempts=attempts),
            request=request,
            status_code=response.status_code,
            hint=msg("http.gateway_hint"),
            cause=GATEWAY,
        )


def describe_transport_error(exc: httpx.TransportError) -> str:
    """Short human words for what went wrong on the wire."""
    if isinstance(exc, httpx.ConnectTimeout):
        return msg("http.connect_timeout")
    if isinstance(exc, httpx.TimeoutException):
        return msg("http.read_timeout")
    text = redact(str(exc) or type(exc).__name__)
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return msg("http.tls", text=text)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return msg("http.dns", text=text)
    if "refused" in text.lower():
        return msg("http.refused")
    if "reset" in text.lower():
        return msg("http.reset", text=text)
    return msg("http.other", text=text)


def transport_cause(exc: httpx.TransportError) -> str:
    """The blocked cause of a transport error: no answer in time, a connection the other
    side dropped mid-request (reset, closed without an answer), or nothing reachable."""
    if isinstance(exc, httpx.TimeoutException):
        return TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return UNREACHABLE
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return CONNECTION_RESET
    return CONNECTION_RESET if "reset" in str(exc).lower() else UNREACHABLE


def _hint_for(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return msg("http.timeout_hint")
    text = str(exc).upper()
    if "CERTIFICATE" in text or "SSL" in text:
        return msg("http.tls_hint")
    return msg("http.check_hint")
