"""Readiness as small wait-strategy objects (after testcontainers' wait strategies).

Each strategy polls with an interval until a timeout, reports progress through a callback
and raises with a "Hint:" that says what to look at when time runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from harness.errors import TargetUnavailable, TargetUnreachable
from harness.http import describe_transport_error

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


@dataclass
class HttpWaitStrategy:
    """Wait until ``url`` gives an answer that is not a gateway error or connection failure.

    Any status the app itself produces (even 500) counts as "up": judging the answer is the
    health check's job, waiting is only about the service being there.
    """

    url: str
    timeout_s: float = 60.0
    interval_s: float = 0.5
    request_timeout_s: float = 5.0
    hint: str = "check that the service is running and that base_url is right"
    verify: object = True

    def wait(
        self, progress: Progress = _silent, alive: Callable[[], str | None] = lambda: None
    ) -> httpx.Response:
        """``alive`` returns a reason when the process being waited for has died."""
        deadline = time.monotonic() + self.timeout_s
        started = time.monotonic()
        last_problem = "no attempt yet"
        with httpx.Client(timeout=self.request_timeout_s, verify=self.verify) as client:  # type: ignore[arg-type]
            while True:
                try:
                    response = client.get(self.url)
                    if response.status_code not in (502, 503, 504):
                        return response
                    last_problem = f"HTTP {response.status_code}"
                except httpx.TransportError as exc:
                    last_problem = describe_transport_error(exc)
                died = alive()
                if died:
                    raise TargetUnavailable(died, hint=self.hint)
                waited = time.monotonic() - started
                if time.monotonic() >= deadline:
                    raise TargetUnreachable(
                        f"{self.url} not ready after {waited:.0f}s: {last_problem}.",
                        hint=self.hint,
                    )
                progress(f"waiting for {self.url} ({waited:.0f}s/{self.timeout_s:.0f}s: {last_problem})")
                time.sleep(self.interval_s)
