"""A tiny reverse proxy for the fault tests, and a way to serve any ASGI app in a thread.

``ReverseProxy`` forwards to an upstream app, except the path prefixes it "forgets", which
it answers itself with nginx's HTML 404 (DESIGN §1: ``/api/wallet/`` without its rule).
Like nginx it replaces the upstream's ``Server`` header with its own, so only the shape of
the answer tells its 404 from the app's. With ``token`` set it also plays an auth gateway:
``POST /login`` (form) hands out the token, other paths but health need it (``public``
adds more, e.g. the OpenAPI document). ``block`` refuses (method, prefix) pairs with nginx's
HTML 403 (``limit_except``); ``plain_health`` answers health as text/plain "OK" (a health
route that is not JSON); ``login_status`` makes the login answer that status (500: broken).
``forward_auth`` passes the client's ``Authorization`` on to an app that checks it itself,
except under the ``strip_auth`` prefixes (an nginx location that clears the header);
``redirect_to`` answers every request 302 to the same path on that address (a moved host).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import httpx
import uvicorn

from harness.stack.postgres import free_port

NGINX_403 = b"<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n"
NGINX_404 = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>tinyproxy</center>\r\n</body>\r\n</html>\r\n"
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "server",
    "date",
    "host",
}


class ReverseProxy:
    def __init__(
        self,
        upstream: str,
        *,
        forget: tuple[str, ...] = (),
        token: str | None = None,
        password: str = "",
        public: tuple[str, ...] = (),
        block: tuple[tuple[str, str], ...] = (),
        plain_health: bool = False,
        login_status: int | None = None,
        forward_auth: bool = False,
        strip_auth: tuple[str, ...] = (),
        redirect_to: str | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.forget = forget
        self.token = token
        self.password = password
        self.public = public
        self.block = block
        self.plain_health = plain_health
        self.login_status = login_status
        self.forward_auth = forward_auth
        self.strip_auth = strip_auth
        self.redirect_to = redirect_to

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        path, body = scope["path"], await _read_body(receive)
        if self.redirect_to:
            moved = [("location", f"{self.redirect_to.rstrip('/')}{path}")]
            return await _respond(send, 302, b"", "text/html", moved)
        if any(path.startswith(prefix) for prefix in self.forget):
            return await _respond(send, 404, NGINX_404, "text/html")
        if any(scope["method"] == method and path.startswith(prefix) for method, prefix in self.block):
            return await _respond(send, 403, NGINX_403, "text/html")
        if self.plain_health and path.endswith("/health"):
            return await _respond(send, 200, b"OK", "text/plain")
        if self.login_status and path == "/login":
            return await _respond(send, self.login_status, b'{"detail": "login broke"}', "application/json")
        if self.token and path == "/login":
            ok = parse_qs(body.decode()).get("password") == [self.password]
            answer = (
                b'{"access_token": "%s"}' % self.token.encode()
                if ok
                else b'{"detail": "bad credentials"}'
            )
            return await _respond(send, 200 if ok else 401, answer, "application/json")
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if (
            self.token
            and not path.endswith("/health")
            and path not in self.public
            and headers.get("authorization") != f"Bearer {self.token}"
        ):
            return await _respond(send, 401, b'{"detail": "Not authenticated"}', "application/json")
        await self._forward(scope, headers, body, send)

    async def _forward(
        self, scope: dict[str, Any], headers: dict[str, str], body: bytes, send: Any
    ) -> None:
        query = scope.get("query_string", b"").decode()
        url = f"{self.upstream}{scope['path']}" + (f"?{query}" if query else "")
        keep_auth = self.forward_auth and not any(scope["path"].startswith(p) for p in self.strip_auth)
        forwarded = {
            k: v
            for k, v in headers.items()
            if k not in _HOP_BY_HOP and (k != "authorization" or keep_auth)
        }
        async with httpx.AsyncClient(timeout=30) as client:
            upstream = await client.request(scope["method"], url, headers=forwarded, content=body)
        kept = [
            (k, v)
            for k, v in upstream.headers.items()
            if k.lower() not in _HOP_BY_HOP | {"content-encoding"}
        ]
        await _respond(send, upstream.status_code, upstream.content, None, kept)


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(
    send: Any,
    status: int,
    body: bytes,
    media_type: str | None,
    headers: list[tuple[str, str]] | None = None,
) -> None:
    raw = [(k.encode(), v.encode()) for k, v in (headers or [])]
    if media_type:
        raw.append((b"content-type", media_type.encode()))
    raw += [(b"content-length", str(len(body)).encode()), (b"server", b"tinyproxy")]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def serve(app: Any, *, certfile: str | None = None, keyfile: str | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields its URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        server_header=False, date_header=False, ssl_certfile=certfile, ssl_keyfile=keyfile,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"serve-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"{'https' if certfile else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class TcpRelay:
    """A byte relay in front of ``upstream`` (host, port) that drops, with a TCP reset, every
    connection whose request's path starts with one of ``reset`` (a load balancer or a crashed
    worker cutting a kept-alive connection), and forwards everything else. ``silent``: accept
    and never answer anything (a frozen service), so a request times out."""

    def __init__(self, upstream: tuple[str, int], *, reset: tuple[str, ...] = (), silent: bool = False) -> None:
        self.upstream, self.reset, self.silent = upstream, reset, silent
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.resets = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.server.close()
        for held in self._held:
            held.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.silent:
                self._held.append(client)  # read nothing, answer nothing
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        while chunk := _recv(client):
            request_line = chunk.split(b"\r\n", 1)[0].split(b" ")
            path = request_line[1].decode(errors="replace") if len(request_line) == 3 else ""
            if self.reset and path.startswith(self.reset):
                self.resets += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break  # closing with linger 0 sends RST: "connection reset by peer"
            upstream.sendall(chunk)
        client.close()
        upstream.close()


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _pump(source: socket.socket, sink: socket.socket) -> None:
    while chunk := _recv(source):
        try:
            sink.sendall(chunk)
        except OSError:
            return
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass
