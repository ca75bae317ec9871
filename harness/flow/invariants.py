"""The invariants of a declared flow, judged per checklist item.

For the flow's own item (``item``, default wallet-reward): the beneficiary's balance moved
by exactly ``amount`` (declared, or captured from the app's answer), nobody else was paid (by SQL over the flow's own rows, and over HTTP
for ``watch`` accounts) — so a credit to another account fails on a fresh database too.
For ``replay``: the same request again is refused and pays nothing. For ``burst``: K
identical requests at once pay once, in each of R rounds. ``sql_invariants``: a declared
query returns its expected value. Every instance gets a fresh tag, so no two share rows.
A 5xx anywhere fails the item with the status and body (``harness.flow.races``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, StatementError

from harness.errors import ConfigError
from harness.flow.api import AUTH_REMEDY, SERVER_ERROR_REMEDY, FlowError, Tagger
from harness.flow.db import like_prefix
from harness.flow.declare import FlowSpec, SqlInvariant
from harness.flow.races import (
    Judged,
    amount_of,
    burst_paid_more,
    burst_server_errors,
    capture_from_first_success,
    either,
    judge_move,
    overpaid,
    replay_server_error,
    server_errors,
    tally,
)  # fmt: skip
from harness.flow.steps import FlowContext, StepRunner, used_params
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.transport.db import database_unreachable


class FlowJudge:
    """Runs flow instances for one checklist item and says what went wrong."""

    def __init__(self, runner: StepRunner, tags: Tagger) -> None:
        self.runner = runner
        self.spec: FlowSpec = runner.spec
        self.tags = tags
        self.contexts: list[FlowContext] = []  # every instance, for cleanup by captured ids

    def check(self, item: str) -> CheckResult:
        spec = self.spec
        judges: list[Callable[[], Judged]] = []
        if item == spec.item:
            judges.append(self._reward)
        if spec.replay is not None and spec.replay.item == item:
            judges.append(self._replay)
        if spec.burst is not None and spec.burst.item == item:
            judges.append(self._burst)
        try:
            parts = [judge() for judge in judges] or [self._plain_run()]
        except FlowError as exc:
            return CheckResult.failed(
                item, msg("flow.could_not_run", name=repr(spec.name), error=exc.message), **exc.evidence(),
                remediation=self._remedy(exc),
            )  # fmt: skip
        return self._verdict(item, parts)

    def _remedy(self, exc: FlowError) -> str:
        if exc.server_error:
            return SERVER_ERROR_REMEDY
        if exc.status in (401, 403):
            return AUTH_REMEDY
        return msg("flow.steps_remedy", where=self.spec.where)

    def _new(self) -> FlowContext:
        context = FlowContext.new(self.tags)
        self.contexts.append(context)
        return context

    def _prepare(self, context: FlowContext, paying: str) -> tuple[str, int]:
        """Run the steps before ``paying``; the beneficiary (it may be a captured id) and
        its balance just before the paying step."""
        self.runner.run(context, until=paying)
        account = str(context.render(self.spec.beneficiary, f"{self.spec.where}.beneficiary"))
        return account, self.runner.balance(account)

    def _verdict(self, item: str, parts: list[Judged]) -> CheckResult:
        problems = [p for part in parts for p in part.problems]
        evidence = {k: v for part in parts for k, v in part.evidence.items()}
        evidence["flow"] = self.spec.name
        if not problems:
            return CheckResult.passed(
                item, msg("flow.pass", name=repr(self.spec.name), item=item), **evidence
            )
        remedies = list(dict.fromkeys(r for part in parts for r in part.remedies))
        return CheckResult.failed(
            item, sentences(*problems), remediation=sentences(*remedies, joiner=" "), **evidence
        )

    # ------------------------------------------------------------ the flow's own item

    def _reward(self) -> Judged:
        spec, runner, context = self.spec, self.runner, self._new()
        paying = spec.steps[-1].name
        account, start = self._prepare(context, paying)
        watched = {w: runner.balance(context.render(w, f"{spec.where}.watch")) for w in spec.watch}
        sent = runner.run(context, start_at=paying)
        amount = amount_of(spec, context)  # known now: it may be captured from the paying step
        moved = runner.poll(account, start, amount) - start
        judged = Judged(evidence={
            "beneficiary": account, "expected_move": amount, "balance_moved": moved,
            "answers": [{"step": s.step.name, "status": s.response.status_code} for s in sent],
        })  # fmt: skip
        self._others(judged, context, account, watched)
        judge_move(judged, account, moved, amount, paid_elsewhere=bool(judged.problems))
        self._sql(judged, context, spec.item)
        return judged

    def _others(
        self, judged: Judged, context: FlowContext, account: str, watched: dict[str, int]
    ) -> None:
        paid = self._payments(context) if self.spec.payments_sql else None
        if paid is not None:
            judged.evidence["payments_by_account"] = paid
            for other, amount in sorted(paid.items()):
                if other != account and amount:
                    judged.problems.append(
                        msg("flow.paid_elsewhere", other=other, account=account, amount=f"{amount:+d}")
                    )
                    judged.remedies.append(msg("flow.paid_elsewhere_remedy"))
        for template, before in watched.items():
            name = context.render(template, self.spec.where)
            delta = self.runner.balance(name) - before
            judged.evidence.setdefault("watched_moves", {})[name] = delta
            if delta:
                judged.problems.append(
                    msg("flow.watched_moved", name=name, delta=f"{delta:+d}", account=account)
                )
                judged.remedies.append(msg("flow.only_beneficiary"))

    def _payments(self, context: FlowContext) -> dict[str, int]:
        rows = self._rows(self.spec.payments_sql, context, f"{self.spec.where}.payments_sql")
        paid: dict[str, int] = {}
        for account, amount in rows:
            paid[str(account)] = paid.get(str(account), 0) + int(amount or 0)
        return paid

    # ------------------------------------------------------------ replay and burst

    def _replay(self) -> Judged:
        replay, runner, context = self.spec.replay, self.runner, self._new()
        assert replay is not None
        account, start = self._prepare(context, replay.step)
        sent = runner.run(context, start_at=replay.step)[0]
        started = time.monotonic()
        first = runner.poll(account, start, amount_of(self.spec, context))
        credit_took_s = time.monotonic() - started  # settle_s included
        if replay.json is not None:  # same nonce, another body (and its own {unique})
            context.next_request()
            sent.body = context.render(replay.json, f"{self.spec.where}.replay.json")
        answers = [runner.resend(sent) for _ in range(replay.times)]
        statuses = [a.status_code for a in answers]
        # A second credit is looked for as long as the first took to show (an async payer is
        # as slow again), not for all of poll_timeout_s: that was 5 s of every healthy run.
        extra = runner.watch(account, first, credit_took_s) - first
        judged = Judged(evidence={"replay": {"step": replay.step, "statuses": statuses,
                                             "paid_after_replay": extra, "first_move": first - start}})  # fmt: skip
        wrong = [s for s in statuses if s not in replay.refused and s < 500]
        how = msg("flow.how.another_body") if replay.json is not None else msg("flow.how.same_request")
        crashed = replay_server_error(judged, replay.step, how, answers)
        if first == start and not crashed:  # nothing paid at all is the flow item's failure
            judged.evidence["replay"]["not_judged"] = msg("flow.first_paid_nothing")
        elif wrong:
            judged.problems.append(msg("flow.replay_answered", step=replay.step, how=how, status=wrong[0],
                                       refused=either(replay.refused)))  # fmt: skip
        if extra:
            judged.problems.append(msg("flow.replay_paid", account=account, extra=f"{extra:+d}",
                                       first=f"{first - start:+d}"))  # fmt: skip
        if judged.problems and not crashed:
            judged.remedies.append(msg("flow.replay_remedy", refused=either(replay.refused)))
        return judged

    def _burst(self) -> Judged:
        burst, runner, spec = self.spec.burst, self.runner, self.spec
        assert burst is not None
        rounds: list[dict[str, Any]] = []
        for n in range(1, burst.bursts + 1):
            context = self._new()
            account, start = self._prepare(context, burst.step)
            answers = runner.burst(spec.step(burst.step), context, burst.concurrency)
            capture_from_first_success(spec.step(burst.step), answers, context)
            amount = amount_of(spec, context)
            moved = runner.poll(account, start, amount) - start
            statuses = [a if isinstance(a, str) else a.status_code for a in answers]
            ok = sum(1 for s in statuses if isinstance(s, int) and 200 <= s < 300)
            rounds.append({"burst": n, "statuses": tally(statuses), "balance_moved": moved})
            judged = Judged(evidence={"bursts": rounds})
            if overpaid(moved, amount) or (ok > 1 and moved):  # paying nothing is the flow item's
                judged = burst_paid_more(rounds, burst.concurrency, burst.bursts, amount, moved, ok)
            errors = server_errors(answers)
            burst_server_errors(judged, burst.step, errors, burst.concurrency, n, burst.bursts)
            if judged.problems:
                return judged
        return Judged(evidence={"bursts": rounds})

    # ------------------------------------------------------------ SQL

    def _plain_run(self) -> Judged:
        """An item with only SQL invariants: run the flow once, then judge them."""
        context = self._new()
        self.runner.run(context)
        judged = Judged()
        for item in {s.item for s in self.spec.sql_invariants}:
            self._sql(judged, context, item)
        return judged

    def _sql(self, judged: Judged, context: FlowContext, item: str) -> None:
        for invariant in (s for s in self.spec.sql_invariants if s.item == item):
            if self.runner.engine is None:  # HTTP only: said in the evidence, judged nowhere
                judged.evidence.setdefault("sql_invariants", {})[invariant.name] = msg("flow.not_read")
                continue
            value = self._value(invariant, context)
            judged.evidence.setdefault("sql_invariants", {})[invariant.name] = value
            if value != invariant.expect:
                judged.problems.append(
                    msg("flow.query_returned", name=invariant.name, value=repr(value), expect=repr(invariant.expect))
                )
                judged.remedies.append(msg("flow.query_remedy", name=invariant.name, where=self.spec.where))

    def _value(self, invariant: SqlInvariant, context: FlowContext) -> Any:
        rows = self._rows(
            invariant.query, context, f"{self.spec.where}.sql_invariants.{invariant.name}"
        )
        return rows[0][0] if rows and len(rows[0]) == 1 else [list(r) for r in rows]

    def _rows(self, query: str, context: FlowContext, where: str) -> list[Any]:
        if self.runner.engine is None:
            return []
        params = {**context.values, "tag_like": like_prefix(context.run_tag)}
        return declared_query_rows(self.runner.engine, query, params, where)


def declared_query_rows(engine: Engine, query: str, params: dict[str, Any], where: str) -> list[Any]:
    """A profile's own SQL: any error of it (a typo in a table name, a parameter the flow
    never captured) is the profile's to fix: one line naming it, exit 4, never a traceback."""
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query), used_params(query, params)).all())
    except OperationalError as exc:
        raise database_unreachable(engine, exc) from None
    except StatementError as exc:  # DBAPIError's base: also a bind parameter with no value
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ConfigError(msg("flow.query_fails", where=where, reason=reason), hint=msg("flow.query_hint")) from None
