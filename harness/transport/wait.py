"""Readiness as small wait-strategy objects (after testcontainers' wait strategies).

Each strategy polls with an interval until a timeout, reports progress through a callback
and raises with a "Hint:" that says what to look at when time runs out.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from harness.errors import (
    GATEWAY,
    STACK_FAILED,
    UNREACHABLE,
    CertificateUntrusted,
    TargetUnavailable,
    TargetUnreachable,
)
from harness.messages.core import msg
from harness.secrets import clip
from harness.transport.http import describe_transport_error, transport_cause

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


@dataclass
class HttpWaitStrategy:
    """Wait until ``url`` gives an answer that is not a gateway error or connection failure.

    Any status the app itself produces (even 500) counts as "up": judging the answer is the
    health check's job, waiting is only about the service being there. A sleeping free-tier
    service can take a minute, so the wait is bounded (``timeout_s``), reports a progress
    line per attempt (throttle it in the callback) and says when the target finally answered.
    A TLS certificate error is not a cold start: it ends the wait at once.
    """

    url: str
    timeout_s: float = 60.0
    interval_s: float = 0.5
    request_timeout_s: float = 5.0
    hint: str = msg("wait.hint")
    verify: object = True
    transport: httpx.BaseTransport | None = None  # tests: httpx.MockTransport
    # The app's own latest 502/503/504 (a JSON body), kept to be the answer if time runs out.
    _own_answer: httpx.Response | None = field(default=None, init=False, repr=False)

    def wait(
        self, progress: Progress = _silent, alive: Callable[[], str | None] = lambda: None
    ) -> httpx.Response:
        """``alive`` returns a reason when the process being waited for has died."""
        started = time.monotonic()
        last_problem: str = msg("wait.no_attempt")
        self._own_answer: httpx.Response | None = None
        self._last_cause = UNREACHABLE  # what the last failed attempt met (the blocked label)
        with httpx.Client(
            timeout=self.request_timeout_s,
            verify=self.verify,  # type: ignore[arg-type]
            transport=self.transport,
        ) as client:
            for attempt in itertools.count(1):
                response, last_problem = self._attempt(client, last_problem)
                waited = time.monotonic() - started
                if response is not None:
                    if attempt > 1:
                        progress(
                            f"{self.url} answered HTTP {response.status_code} after {waited:.0f}s ({attempt} attempts)"
                        )
                    return response
                died = alive()
                if died:
                    raise TargetUnavailable(died, hint=self.hint, cause=STACK_FAILED)
                if waited >= self.timeout_s and self._own_answer is not None:
                    # The app itself has said 503 for the whole wait: that is its answer
                    # (health judges it and shows the body), not a platform still waking.
                    return self._own_answer
                if waited >= self.timeout_s:
                    raise TargetUnreachable(
                        msg("wait.not_ready", url=self.url, seconds=f"{waited:.0f}", attempts=attempt, problem=last_problem),
                        hint=self.hint,
                        cause=self._last_cause,
                    )
                progress(
                    f"waiting for {self.url} to answer (attempt {attempt}, "
                    f"{waited:.0f}s of at most {self.timeout_s:.0f}s: {last_problem})"
                )
                time.sleep(min(self.interval_s, max(0.0, self.timeout_s - waited)))
        raise AssertionError("unreachable")

    def _attempt(
        self, client: httpx.Client, last_problem: str
    ) -> tuple[httpx.Response | None, str]:
        try:
            response = client.get(self.url)
        except httpx.TransportError as exc:
            problem = describe_transport_error(exc)
            if problem.startswith("TLS failure"):  # a person must act: a retry cannot help
                raise CertificateUntrusted(
                    msg("wait.tls", url=self.url, problem=problem), hint=msg("http.tls_hint"),
                ) from exc
            self._last_cause = transport_cause(exc)
            return None, problem
        if response.status_code in (502, 503, 504):
            self._last_cause = GATEWAY
            self._own_answer = response if is_app_answer(response) else None
            return None, msg("wait.gateway", status=response.status_code, body=repr(clip(response.text, 200)))
        return response, last_problem


def is_app_answer(response: httpx.Response) -> bool:
    """A JSON body is the app speaking (its health route says it is unhealthy); a gateway's
    own 502/503/504 is an HTML or plain-text page."""
    return "json" in response.headers.get("content-type", "").lower()


class Throttled:
    """A progress callback that writes at most one line per ``every_s`` for the same step."""

    def __init__(self, write: Callable[[str], None], every_s: float = 2.0) -> None:
        self._write = write
        self._every_s = every_s
        self._last_step = ""
        self._last_at = 0.0

    def __call__(self, message: str) -> None:
        step = message.split("(")[0]
        now = time.monotonic()
        if step != self._last_step or now - self._last_at >= self._every_s:
            self._write(f"harness: {message}")
            self._last_step, self._last_at = step, now
