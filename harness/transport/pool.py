"""A lean HTTP/1.1 keep-alive connection pool for sweeps of many small requests.

Why not httpx here: routes-reachable sends one request per expected route, thousands on a
big API, and httpx's layers (request/response models, httpcore's pool with its locks and
events, h11's state machine) cost ≈1.2 ms of harness CPU per probed route, against
≈0.27 ms with ``http.client`` (``python -m benchmarks --only staging-routes``, side by
side). The pool keeps the connections its threads opened (at most one per probe thread)
and lends each to one thread at a time; probes never build a client or a connection of
their own.

The surface is the slice of httpx the sweep uses (``get``/``options``/``request`` with
``json=``, ``content=``, ``headers=``; a response with ``status_code``, ``headers``,
``content``, ``text``) and failures are raised as httpx's own exception types, so the
classification and the error wording (``describe_transport_error``) stay one piece of code.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import socket
import ssl
import threading
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import httpx

_USER_AGENT = "harness-probe"


class PooledResponse:
    """A read response: status, lower-cased headers, the whole body."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class ConnectionPool:
    """Keep-alive connections to one origin (``base_url``), shared by threads."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 10.0,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{base_url!r}: expected an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self._host, self._port = parts.hostname, parts.port
        self._prefix = parts.path.rstrip("/")
        self._https = parts.scheme == "https"
        self._ssl = _ssl_context(verify) if self._https else None
        self._timeout_s = timeout_s
        self._headers = {"User-Agent": _USER_AGENT, **(headers or {})}
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> PooledResponse:
        return self.request("GET", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> PooledResponse:
        return self.request("OPTIONS", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> PooledResponse:
        sent = {**self._headers, **(headers or {})}
        body = content.encode() if isinstance(content, str) else content
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        target = self._prefix + (path if path.startswith("/") else "/" + path)
        conn = self._checkout()
        try:
            response = self._exchange(conn, method, target, body, sent)
        except BaseException:
            conn.close()  # its state is unknown: never lend it again
            raise
        self._checkin(conn)
        return response

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
    ) -> PooledResponse:
        reused = conn.sock is not None
        try:
            if not reused:
                _connect(conn)
            conn.request(method, target, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if not reused:
                raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
            # The server closed an idle keep-alive connection: once more on a fresh one,
            # as every HTTP client does.
            conn.close()
            return self._exchange(conn, method, target, body, headers)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        fields = {name.lower(): value for name, value in raw.getheaders()}
        if raw.will_close:
            conn.close()
        return PooledResponse(raw.status, fields, content)

    def _checkout(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout_s, context=self._ssl
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)

    def _checkin(self, conn: http.client.HTTPConnection) -> None:
        if conn.sock is None:
            return
        with self._lock:
            self._idle.append(conn)


def _connect(conn: http.client.HTTPConnection) -> None:
    """Open the connection, failures worded as httpx words them (connect vs read)."""
    try:
        conn.connect()
    except TimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "timed out") from exc
    except (OSError, ssl.SSLError) as exc:
        raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    return httpx.create_ssl_context(verify=verify)  # the same trust store as httpx (certifi)


def uses_proxy(base_url: str) -> bool:
    """Whether the environment routes ``base_url`` through a proxy (HTTP(S)_PROXY), which
    httpx honours and this pool does not: the caller then keeps httpx."""
    parts = urlsplit(base_url)
    return bool(getproxies().get(parts.scheme)) and not proxy_bypass(parts.hostname or "")
