"""Waiting until the target serves the revision that was just deployed.

A push starts a deploy that takes minutes; a run started at the same time would judge the
previous release and report its faults as the new one's. So, before anything is judged, the
route the profile names is read until the version in its JSON answer is the expected one:
bounded, with a progress line, and on timeout a ``TargetUnavailable`` ("staging still serves
X, expected Y") — a retry later may well pass, and every item is blocked, not failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from harness.config.deploy import DeploySpec
from harness.errors import DEPLOY_NOT_LIVE, DEPLOY_UNKNOWN, TargetUnavailable
from harness.transport.http import describe_transport_error
from harness.transport.wait import Progress, _silent

_SHORT_SHA = 7


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/a/0/b``; ``~1`` is ``/`` and ``~0`` is ``~``. ``KeyError`` when absent."""
    if not pointer:
        return document
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        elif isinstance(document, dict) and part in document:
            document = document[part]
        else:
            raise KeyError(part)
    return document


def same_version(served: str, expected: str) -> bool:
    """Equal, or one a prefix of the other (a short commit id), 7+ characters long."""
    if served == expected:
        return True
    shorter, longer = sorted((served, expected), key=len)
    return len(shorter) >= _SHORT_SHA and longer.startswith(shorter)


@dataclass
class DeployWait:
    url: str
    spec: DeploySpec
    verify: object = True
    request_timeout_s: float = 10.0
    transport: httpx.BaseTransport | None = None  # tests: httpx.MockTransport

    def wait(self, progress: Progress = _silent) -> dict[str, Any]:
        """Return what was seen (for the report) once the expected version serves."""
        started, attempt = time.monotonic(), 0
        served: str | None = None
        problem = "no answer yet"
        with httpx.Client(timeout=self.request_timeout_s, verify=self.verify,  # type: ignore[arg-type]
                          transport=self.transport) as client:  # fmt: skip
            while True:
                attempt += 1
                seen, problem = self._read(client)
                served = seen if seen is not None else served
                waited = time.monotonic() - started
                if seen is not None and same_version(seen, self.spec.expect):
                    return {"expected": self.spec.expect, "served": seen, "waited_s": round(waited, 1),
                            "attempts": attempt, "url": self.url}  # fmt: skip
                if waited >= self.spec.timeout_s:
                    raise self._timed_out(served, problem, waited)
                progress(f"waiting for the deploy of {self.spec.expect} (attempt {attempt}, {waited:.0f}s of "
                         f"at most {self.spec.timeout_s:.0f}s: {problem})")  # fmt: skip
                time.sleep(min(self.spec.interval_s, max(0.0, self.spec.timeout_s - waited)))

    def _read(self, client: httpx.Client) -> tuple[str | None, str]:
        """The served version, or ``None`` and what stood in the way."""
        try:
            response = client.get(self.url)
        except httpx.TransportError as exc:
            return None, describe_transport_error(exc)
        if response.status_code >= 400:
            return None, f"{self.url} answered HTTP {response.status_code}"
        try:
            value = resolve_pointer(response.json(), self.spec.version_pointer)
        except ValueError:
            return None, f"{self.url} did not answer JSON"
        except KeyError as exc:
            return None, f"the answer of {self.url} has no {self.spec.version_pointer} (missing {exc.args[0]!r})"
        if isinstance(value, (dict, list)) or value is None:
            return None, f"{self.spec.version_pointer} in the answer of {self.url} is {value!r}, not a version"
        return str(value), f"it still serves {value}"

    def _timed_out(self, served: str | None, problem: str, waited: float) -> TargetUnavailable:
        if served is not None:
            return TargetUnavailable(
                f"staging still serves {served}, expected {self.spec.expect} "
                f"(waited {waited:.0f}s at {self.url}{self.spec.version_pointer})",
                hint="the deploy has not gone live yet or failed: look at the deploy's log; "
                "rerun once it is live, or raise [deploy] timeout_s",
                cause=DEPLOY_NOT_LIVE,
            )
        return TargetUnavailable(
            f"could not read the deployed version after {waited:.0f}s: {problem}",
            hint="check [deploy] version_path and version_pointer against what the app answers",
            cause=DEPLOY_UNKNOWN,
        )
