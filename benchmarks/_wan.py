"""A staging network on loopback: ``python -m benchmarks._wan proxy|app ...``.

``proxy --listen PORT --upstream HOST:PORT --rtt-ms 50``: a TCP proxy that holds every chunk
for half the round-trip time in each direction, so a request/answer costs the added RTT
like a far-away staging host does (per connection; chunks keep their order). It works for
any protocol, so HTTP and PostgreSQL go through it alike.

``app --listen PORT``: an HTTP/1.1 keep-alive server cheap enough never to be the
bottleneck (≈30 µs of CPU a request, where a FastAPI app with 1,000 routes spends ≈3 ms
matching them): 200 JSON for any path, Starlette's 404 for the sweep's made-up path, 405
for OPTIONS. It measures the client's sweep, not a framework.

Both run in their own process so their CPU is neither the harness's nor the GIL's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

_NOT_FOUND = b'{"detail":"Not Found"}'


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        while chunk := await reader.read(65536):
            # Every chunk leaves ``delay`` after it arrived; equal delays keep the order.
            loop.call_later(delay, writer.write, chunk)
    finally:
        await asyncio.sleep(delay)
        writer.close()


async def _proxy(listen: int, upstream: tuple[str, int], delay: float) -> None:
    async def handle(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            u_reader, u_writer = await asyncio.open_connection(*upstream)
        except OSError:
            c_writer.close()
            return
        await asyncio.sleep(2 * delay)  # the TCP handshake's round trip
        await asyncio.gather(
            _pipe(c_reader, u_writer, delay), _pipe(u_reader, c_writer, delay),
            return_exceptions=True,
        )  # fmt: skip

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


def _answer(method: bytes, path: bytes) -> bytes:
    if b"harness-no-such-route" in path:
        status, body = b"404 Not Found", _NOT_FOUND
    elif method == b"OPTIONS":
        status, body = b"405 Method Not Allowed", b'{"detail":"Method Not Allowed"}'
    else:
        status, body = b"200 OK", b'{"status":"ok"}'
    return (
        b"HTTP/1.1 " + status + b"\r\nserver: uvicorn\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


async def _app(listen: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                method, path, _ = head.split(b" ", 2)
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                writer.write(_answer(method, path))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


def _content_length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._wan")
    parser.add_argument("mode", choices=("proxy", "app"))
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", help="HOST:PORT (proxy)")
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    if args.mode == "app":
        asyncio.run(_app(args.listen))
        return
    host, port = args.upstream.rsplit(":", 1)
    asyncio.run(_proxy(args.listen, (host, int(port)), args.rtt_ms / 2000))


if __name__ == "__main__":
    main(sys.argv[1:])
