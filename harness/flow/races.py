"""Judging a declared flow's answers: replays, bursts, server errors, the declared amount.

Any 5xx the app gives during a flow — a step, a replay, one request of a burst — fails the
item with the status and the (masked) body, whatever else held: a burst that paid once but
answered 14 × HTTP 500 (an uncaught unique violation) is not idempotent, it is crashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.errors import ConfigError
from harness.flow.api import SERVER_ERROR_REMEDY, body_snippet
from harness.flow.declare import FlowSpec, Step
from harness.flow.steps import FlowContext, resolve_pointer

BURST_REMEDY = (
    "make the nonce check and the insert atomic: a unique index on the nonce, or a lock "
    "(pg_advisory_xact_lock on the nonce) held from the check to the commit"
)


@dataclass
class Judged:
    problems: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    remedies: list[str] = field(default_factory=list)


def amount_of(spec: FlowSpec, context: FlowContext) -> int:
    """The declared move, or the value a step captured for it (``amount = "{price}"``)."""
    if isinstance(spec.amount, int):
        return spec.amount
    where = f"{spec.where}.amount"
    value = context.render(spec.amount, where)
    try:
        number = int(value) if not isinstance(value, bool) and float(value) == int(value) else None
    except (TypeError, ValueError):
        number = None
    if not number:
        raise ConfigError(
            f"{where}: {spec.amount} is {value!r} here, not a non-zero whole number.",
            hint="capture the amount from a JSON number in the app's answer",
        )
    return number


def capture_from_first_success(step: Step, answers: list[httpx.Response | str], context: FlowContext) -> None:
    """A burst's step may capture the amount: from the first answer that succeeded."""
    for answer in answers:
        if isinstance(answer, httpx.Response) and answer.is_success and step.capture:
            try:
                document = answer.json()
                for name, pointer in step.capture.items():
                    context.capture(name, resolve_pointer(document, pointer))
            except (ValueError, KeyError):
                pass
            return


def server_errors(answers: list[httpx.Response | str]) -> list[str]:
    """``HTTP 500: 'body'`` for each 5xx, ``no answer: …`` for each transport error."""
    found = []
    for answer in answers:
        if isinstance(answer, str):
            found.append(f"no answer: {answer}")
        elif answer.status_code >= 500:
            found.append(f"HTTP {answer.status_code}: {body_snippet(answer, 120)!r}")
    return found


def burst_server_errors(judged: Judged, step: str, errors: list[str], k: int, n: int, r: int) -> None:
    if not errors:
        return
    judged.problems.append(
        f"{len(errors)} of {k} concurrent {step} requests failed (burst {n} of {r}): "
        f"{errors[0]}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    )
    judged.remedies.append(SERVER_ERROR_REMEDY)


def replay_server_error(judged: Judged, step: str, how: str, answers: list[httpx.Response]) -> bool:
    broken = [a for a in answers if a.status_code >= 500]
    if not broken:
        return False
    judged.problems.append(
        f"a replayed {step} ({how}) failed with HTTP {broken[0].status_code}: "
        f"{body_snippet(broken[0], 120)!r}"
    )
    judged.remedies.append(SERVER_ERROR_REMEDY)
    return True


def overpaid(moved: int, amount: int) -> bool:
    """Moved further than ``amount`` in its direction (a credit up, a debit down)."""
    return moved * (1 if amount > 0 else -1) > abs(amount)


def burst_paid_more(rounds: list[dict[str, Any]], k: int, r: int, amount: int, moved: int, ok: int) -> Judged:
    n = rounds[-1]["burst"]
    times = moved // amount if amount else ok
    return Judged(
        problems=[(f"{k} identical concurrent requests paid {times} times (burst {n} of {r}: "
                  f"{ok} answered success, balance moved by {moved:+d}, expected {amount:+d})")],
        evidence={"bursts": rounds},
        remedies=[BURST_REMEDY],
    )  # fmt: skip


def judge_move(judged: Judged, account: str, moved: int, amount: int, *, paid_elsewhere: bool) -> None:
    if moved == amount:
        return
    if moved == 0 and not paid_elsewhere:
        judged.problems.append(
            f"credited nothing: {account}'s balance moved by 0, expected {amount:+d}"
        )
        judged.remedies.append("the request answered success but stored no credit: insert the entry "
                               "in the transaction that answers, and answer from what was stored")  # fmt: skip
    else:
        judged.problems.append(
            f"{account}'s balance moved by {moved:+d}, expected exactly {amount:+d}"
        )
        judged.remedies.append("credit exactly the declared amount, once")


def tally(statuses: list[int | str]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for status in statuses:
        counted[str(status)] = counted.get(str(status), 0) + 1
    return counted


def either(statuses: tuple[int, ...]) -> str:
    return " or ".join(map(str, statuses))
