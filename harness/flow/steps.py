"""Running a declared flow's steps: templating, JSON-pointer captures, balance reads.

A ``FlowContext`` is one instance of the flow: its own run tag (so its rows are found and no
two instances share an account), its nonce and uuid, and what its steps captured; and a
``{unique}`` value renewed for every request sent (so the requests of one burst can differ:
a spend race needs K distinct nonces). Each request is sent once and never retried: a resent
POST could pay twice. Every request carries the profile's ``[auth]`` headers.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Barrier
from typing import Any

import httpx
from sqlalchemy import Engine, text

from harness.errors import ConfigError
from harness.flow.api import FlowError, Tagger
from harness.flow.declare import FlowSpec, Step
from harness.messages.core import msg
from harness.transport.http import HttpClient

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class FlowContext:
    """The values templates may use; captures are added as steps answer."""

    run_tag: str
    values: dict[str, Any] = field(default_factory=dict)
    captured_ids: dict[str, list[Any]] = field(default_factory=dict)
    _requests: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @classmethod
    def new(cls, tags: Tagger) -> FlowContext:
        tag = tags.next()
        # The nonce starts with the tag, so rows keyed by it are found by the tag too.
        context = cls(tag, {"run_tag": tag, "nonce": f"{tag}-nonce", "uuid": str(uuid.uuid4())})
        context.next_request()
        return context

    def next_request(self) -> None:
        """A new ``{unique}`` for the request about to be rendered (it starts with the tag
        too, so rows keyed by it are found and cleaned up like the nonce's)."""
        self.values["unique"] = f"{self.run_tag}-u{next(self._requests)}"

    def render_request(self, step: Step, where: str) -> tuple[str, Any]:
        """The path and body of one request of ``step``, with its own ``{unique}``."""
        self.next_request()
        return self.render(step.path, where), self.render(step.json, where)

    def render(self, value: Any, where: str) -> Any:
        """Fill placeholders in strings (recursively). A string that is exactly one
        placeholder keeps the captured value's type, so numeric ids stay numbers."""
        if isinstance(value, dict):
            return {k: self.render(v, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v, where) for v in value]
        if not isinstance(value, str):
            return value
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return self._value(whole.group(1), where)
        return _PLACEHOLDER.sub(lambda m: str(self._value(m.group(1), where)), value)

    def _value(self, name: str, where: str) -> Any:
        if name not in self.values:
            raise ConfigError(
                f"{where}: placeholder {{{name}}} is neither built in nor captured by an earlier step.",
                hint=f"known here: {', '.join(sorted(self.values))}",
            )
        return self.values[name]

    def capture(self, name: str, value: Any) -> None:
        self.values[name] = value
        self.captured_ids.setdefault(name, []).append(value)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/a/0/b``; raises KeyError naming the missing part."""
    value = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(part)
    return value


@dataclass
class Sent:
    """A rendered request and the answer to it (kept for replays and evidence)."""

    step: Step
    path: str
    body: Any
    response: httpx.Response


class StepRunner:
    def __init__(
        self, client: HttpClient, spec: FlowSpec, engine: Engine | None, headers: Mapping[str, str] | None = None
    ) -> None:  # fmt: skip
        self.client = client
        self.spec = spec
        self.engine = engine
        self.headers = dict(headers or {})  # [auth]: every request of the flow carries it

    def send(self, step: Step, context: FlowContext) -> Sent:
        path, body = context.render_request(step, f"{self.spec.where}.steps.{step.name}")
        return Sent(step, path, body, self._request(step.method, path, body))

    def resend(self, sent: Sent) -> httpx.Response:
        return self._request(sent.step.method, sent.path, sent.body)

    def _request(self, method: str, path: str, body: Any) -> httpx.Response:
        """Sent once, never retried: a resent POST could pay twice."""
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        return self.client.request(method, path, retry=False, headers=self.headers, **kwargs)

    def run(self, context: FlowContext, until: str | None = None, start_at: str | None = None) -> list[Sent]:
        """The steps in order, from ``start_at`` (default the first) up to but not including
        ``until`` (default: to the end), checking statuses and capturing."""
        done = []
        names = [s.name for s in self.spec.steps]
        first = names.index(start_at) if start_at else 0
        for step in self.spec.steps[first:]:
            if step.name == until:
                break
            sent = self.send(step, context)
            if sent.response.status_code not in step.expect:
                raise FlowError(step.name, sent.response, f"answered HTTP {sent.response.status_code}, "
                                f"expected {' or '.join(map(str, step.expect))}")  # fmt: skip
            self._capture(sent, context)
            done.append(sent)
        return done

    def _capture(self, sent: Sent, context: FlowContext) -> None:
        if not sent.step.capture:
            return
        try:
            document = sent.response.json()
        except ValueError:
            raise FlowError(sent.step.name, sent.response, msg("flow.no_json")) from None
        for name, pointer in sent.step.capture.items():
            try:
                context.capture(name, resolve_pointer(document, pointer))
            except KeyError as exc:
                raise FlowError(sent.step.name, sent.response, msg("flow.no_capture", pointer=pointer,
                                key=repr(exc.args[0]), name=name)) from None  # fmt: skip

    def burst(self, step: Step, context: FlowContext, count: int) -> list[httpx.Response | str]:
        """``count`` requests of ``step`` released together (identical but for ``{unique}``);
        the answer to each, or the error that stood in for one."""
        barrier = Barrier(count)
        requests = [context.render_request(step, f"{self.spec.where}.burst") for _ in range(count)]

        def one(index: int) -> httpx.Response | str:
            path, body = requests[index]
            barrier.wait()
            try:
                return self._request(step.method, path, body)
            except Exception as exc:  # noqa: BLE001  reported as evidence, not raised
                return f"{type(exc).__name__}: {exc}"[:200]

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))

    # ------------------------------------------------------------ balances

    def balance(self, account: str) -> int:
        read = self.spec.balance
        if read.sql:
            return int(self.scalar(read.sql, {"account": account}) or 0)
        response = self.client.get(read.path.replace("{account}", str(account)), headers=self.headers)
        if not response.is_success:
            raise FlowError("read balance", response)
        try:
            return int(resolve_pointer(response.json(), read.pointer))
        except (ValueError, KeyError, TypeError):
            raise FlowError(
                "read balance", response, msg("flow.no_number", pointer=read.pointer)
            ) from None

    def poll(self, account: str, start: int, amount: int) -> int:
        """The balance once it moved by ``amount`` (a negative one: down), or the wait ran
        out; read once more after ``settle_s`` so a late second payment shows too."""
        sign = 1 if amount > 0 else -1
        balance = self._read_until(account, lambda b: (b - start) * sign >= abs(amount), self.spec.poll_timeout_s)
        if self.spec.settle_s:
            time.sleep(self.spec.settle_s)
            balance = self.balance(account)
        return balance

    def watch(self, account: str, baseline: int, window_s: float) -> int:
        """The balance once it moved from ``baseline``, or after ``window_s`` if it did not:
        looking for a payment that should not come, so a healthy app costs the window."""
        return self._read_until(account, lambda b: b != baseline, window_s)

    def _read_until(self, account: str, done: Callable[[int], bool], window_s: float) -> int:
        deadline = time.monotonic() + window_s
        balance = self.balance(account)
        while not done(balance) and time.monotonic() < deadline:
            time.sleep(self.spec.poll_interval_s)
            balance = self.balance(account)
        return balance

    def scalar(self, query: str, params: dict[str, Any]) -> Any:
        if self.engine is None:
            raise ConfigError(f"{self.spec.where}: a SQL read needs the target's database_url.",
                              hint="set database_url, or read balances over HTTP")  # fmt: skip
        with self.engine.connect() as connection:
            return connection.execute(text(query), used_params(query, params)).scalar()


def used_params(query: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the ``:name`` parameters the query mentions (SQLAlchemy rejects no extras, but
    psycopg would see unused ones as an error in some forms)."""
    return {k: v for k, v in params.items() if re.search(rf"(?<!:):{k}\b", query)}
