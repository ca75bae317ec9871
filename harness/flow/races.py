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
from harness.messages.core import msg

BURST_REMEDY = msg("flow.burst_remedy")


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
    found: list[str] = []
    for answer in answers:
        if isinstance(answer, str):
            found.append(msg("flow.no_answer", error=answer))
        elif answer.status_code >= 500:
            found.append(msg("flow.http_body", status=answer.status_code, body=repr(body_snippet(answer, 120))))
    return found


def burst_server_errors(judged: Judged, step: str, errors: list[str], k: int, n: int, r: int) -> None:
    if not errors:
        return
    first = msg("flow.and_more", first=errors[0], n=len(errors) - 1) if len(errors) > 1 else errors[0]
    judged.problems.append(msg("flow.burst_failed", n=len(errors), k=k, step=step, i=n, r=r, first=first))
    judged.remedies.append(SERVER_ERROR_REMEDY)


def replay_server_error(judged: Judged, step: str, how: str, answers: list[httpx.Response]) -> bool:
    broken = [a for a in answers if a.status_code >= 500]
    if not broken:
        return False
    judged.problems.append(msg("flow.replay_failed", step=step, how=how, status=broken[0].status_code,
                               body=repr(body_snippet(broken[0], 120))))  # fmt: skip
    judged.remedies.append(SERVER_ERROR_REMEDY)
    return True


def overpaid(moved: int, amount: int) -> bool:
    """Moved further than ``amount`` in its direction (a credit up, a debit down)."""
    return moved * (1 if amount > 0 else -1) > abs(amount)


def burst_paid_more(rounds: list[dict[str, Any]], k: int, r: int, amount: int, moved: int, ok: int) -> Judged:
    n = rounds[-1]["burst"]
    times = moved // amount if amount else ok
    return Judged(
        problems=[msg("flow.burst_paid", k=k, times=times, n=n, r=r, ok=ok, moved=f"{moved:+d}", amount=f"{amount:+d}")],
        evidence={"bursts": rounds},
        remedies=[BURST_REMEDY],
    )  # fmt: skip


def judge_move(judged: Judged, account: str, moved: int, amount: int, *, paid_elsewhere: bool) -> None:
    if moved == amount:
        return
    if moved == 0 and not paid_elsewhere:
        judged.problems.append(
            msg("flow.credited_nothing", account=account, amount=f"{amount:+d}")
        )
        judged.remedies.append(msg("flow.stored_no_credit"))
    else:
        judged.problems.append(
            msg("flow.moved_wrong", account=account, moved=f"{moved:+d}", amount=f"{amount:+d}")
        )
        judged.remedies.append(msg("flow.exact_amount"))


def tally(statuses: list[int | str]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for status in statuses:
        counted[str(status)] = counted.get(str(status), 0) + 1
    return counted


def either(statuses: tuple[int, ...]) -> str:
    text = str(statuses[0]) if statuses else ""
    for status in statuses[1:]:
        text = msg("flow.or", a=text, b=status)
    return text
