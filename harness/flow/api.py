"""The wallet flow's HTTP side: create a user and a task, accept, complete, read balances.

Everything the flow creates is tagged ``hv-<run id>-<worker>-<n>`` (user name, task title)
so cleanup and the janitor find it, and two xdist workers never share a user or a task.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Barrier
from typing import Any

import httpx

from harness.flow.config import WalletSpec
from harness.messages.core import msg
from harness.secrets import clip, redact
from harness.transport.http import HttpClient

TAG_PREFIX = "hv-"
# Any 5xx during a flow is a finding about the app, never a mapping problem (issue 23).
SERVER_ERROR_REMEDY = msg("flow.server_error_remedy")
AUTH_REMEDY = msg("flow.auth_remedy")


class Tagger:
    """Names for one worker of one run: ``hv-r20261122t193012ab12-gw0-1``, ``…-2``, …"""

    def __init__(self, run_id: str, worker: str) -> None:
        self.prefix = f"{TAG_PREFIX}{run_id}-{worker}-"
        self._counter = itertools.count(1)

    @classmethod
    @functools.cache
    def for_worker(cls, run_id: str, worker: str) -> Tagger:
        """The one tagger of this process for (run, worker), whichever module asks: two
        counters for the same prefix would hand out the same name twice."""
        return cls(run_id, worker)

    def next(self) -> str:
        return f"{self.prefix}{next(self._counter)}"


class FlowError(Exception):
    """A step of the flow got an answer it cannot go on with (the target's fault)."""

    def __init__(self, step: str, response: httpx.Response, problem: str = "") -> None:
        self.step = step
        self.status = response.status_code
        self.body = _body(response)
        self.url = f"{response.request.method} {response.request.url.path}"
        problem = problem or msg("flow.answered_http", status=self.status)
        if self.server_error:
            problem = msg("flow.with_body", problem=problem, body=repr(body_snippet(response)))
        self.message = msg("flow.error", step=step, request=self.url, problem=problem)
        super().__init__(self.message)

    @property
    def server_error(self) -> bool:
        return self.status >= 500

    def evidence(self) -> dict[str, Any]:
        return {"step": self.step, "request": self.url, "status": self.status, "body": self.body}


def body_snippet(response: httpx.Response, limit: int = 200) -> str:
    """The answer's text on one line, cut short and with every known secret masked."""
    text = " ".join(response.text.split())
    return redact(text[:limit] + ("…" if len(text) > limit else ""))


@dataclass
class Poll:
    balance: int
    waited_s: float


class WalletApi:
    """The flow's requests, with the profile's routes and field names, authenticated as the
    profile's ``[auth]`` says (``headers``; empty without it)."""

    def __init__(self, client: HttpClient, spec: WalletSpec, headers: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.spec = spec
        self.headers = dict(headers or {})
        self.routes = spec.routes
        self.fields = spec.fields

    def create_user(self, tag: str) -> int:
        body = {self.fields.user_name: tag, self.fields.user_email: f"{tag}@harness.invalid"}
        return self._create("create user", self.routes.create_user, body)

    def create_task(self, tag: str) -> int:
        body = {self.fields.task_title: tag, self.fields.task_bounty: self.spec.bounty}
        return self._create("create task", self.routes.create_task, body)

    def accept(self, task_id: int, user_id: int) -> None:
        path = self.routes.accept.format(task_id=task_id, user_id=user_id)
        response = self._post(path, json={self.fields.accept_user: user_id})
        if not response.is_success:
            raise FlowError("accept task", response)

    def complete(self, task_id: int) -> httpx.Response:
        """One completion request, not retried: a resent POST could pay twice."""
        return self._post(self.routes.complete.format(task_id=task_id))

    def complete_concurrently(self, task_id: int, count: int) -> list[int | str]:
        """``count`` completions released together; a status each (or the transport error)."""
        barrier = Barrier(count)

        def one(_: int) -> int | str:
            barrier.wait()
            try:
                return self.complete(task_id).status_code
            except Exception as exc:  # noqa: BLE001  reported as evidence, not raised
                return f"{type(exc).__name__}: {exc}"[:200]

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))

    def balance(self, user_id: int) -> int:
        response = self._get(self.routes.balance.format(user_id=user_id))
        return int(self._field("read balance", response, self.fields.balance))

    def ledger_amounts(self, user_id: int, task_id: int) -> list[int]:
        """The amounts of the user's ledger entries that belong to ``task_id``."""
        return [amount for task, amount in self.ledger_entries(user_id) if task == task_id]

    def ledger_entries(self, user_id: int) -> list[tuple[Any, int]]:
        """(task id, amount) of every entry of the user's ledger."""
        response = self._get(self.routes.ledger.format(user_id=user_id))
        entries = self._json("read ledger", response)
        if not isinstance(entries, list):
            raise FlowError("read ledger", response, msg("flow.no_json_list"))
        field_task, field_amount = self.fields.ledger_task, self.fields.ledger_amount
        return [(e.get(field_task), int(e[field_amount])) for e in entries]

    def supply(self) -> dict[str, int] | None:
        if not self.routes.supply:
            return None
        response = self._get(self.routes.supply)
        total = self._field("read supply", response, self.fields.supply_total)
        circulating = self._field("read supply", response, self.fields.supply_circulating)
        return {"total": int(total), "circulating": int(circulating)}

    def poll_balance(self, user_id: int, reached: Callable[[int], bool]) -> Poll:
        """Read the balance until ``reached`` says so or ``poll_timeout_s`` runs out; then
        once more after ``settle_s`` so a late second credit is seen too."""
        started = time.monotonic()
        deadline = started + self.spec.poll_timeout_s
        balance = self.balance(user_id)
        while not reached(balance) and time.monotonic() < deadline:
            time.sleep(self.spec.poll_interval_s)
            balance = self.balance(user_id)
        if reached(balance) and self.spec.settle_s:
            time.sleep(self.spec.settle_s)
            balance = self.balance(user_id)
        return Poll(balance, round(time.monotonic() - started, 3))

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        """Never retried: a resent POST could pay twice."""
        return self.client.post(path, retry=False, headers=self.headers, **kwargs)

    def _get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.headers)

    def _create(self, step: str, path: str, body: dict[str, Any]) -> int:
        response = self._post(path, json=body)
        return int(self._field(step, response, self.fields.id))

    def _field(self, step: str, response: httpx.Response, name: str) -> Any:
        data = self._json(step, response)
        if not isinstance(data, dict) or name not in data:
            raise FlowError(step, response, msg("flow.no_field", name=repr(name)))
        return data[name]

    @staticmethod
    def _json(step: str, response: httpx.Response) -> Any:
        if not response.is_success:
            raise FlowError(step, response)
        try:
            return response.json()
        except ValueError:
            raise FlowError(step, response, msg("flow.no_json")) from None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return clip(response.text, 300)
