"""migration-roundtrip: each revision steps up, down and up again, and leaves the same schema.

On a throwaway database the app's migrations are run one revision at a time by its own
interpreter and env.py (harness.stack.appsteps): every revision up, then every one down again
to where it started, then every one up again. After each step the version table must name the
revision just reached (else the migrate command built elsewhere: a configuration error, never a
verdict), and the catalog (harness.checks.catalog) is compared: a downgrade must give back the
schema that was there before its upgrade, and the upgrade run again must build what it built
the first time. A failing step names its revision, the error and the statement.

Where: on a stack the harness provisioned (local, containers), an empty database and the whole
history. On any other target, a copy of the live database (as migration-rehearsal makes) and
the revisions pending on it; none pending is n/a. The newest revisions with a real
``downgrade()`` are round-tripped; older ones without one (only ``pass``/a raise) or merges are
only upgraded, and the evidence says which. An app without downgrades is n/a, with the reason.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from harness.checks.backend import backend_of
from harness.checks.catalog import Snapshot, app_schemas, label, snapshot, without_table
from harness.checks.migrations import AppScripts, head_revisions, known_revision, read_db_revisions
from harness.checks.rehearsal import parse_failure, pending_revisions
from harness.checks.revisions import RevisionGraph, downgrade_does_something
from harness.checks.schemachange import changes
from harness.config.alembic_ini import ini_section
from harness.config.database import DatabaseSpec
from harness.errors import ConfigError, DatabaseUnreachable
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.stack.appcode import AppCode, live_secrets
from harness.stack.appsteps import MigrationSteps
from harness.transport.db import database_errors

ITEM = "migration-roundtrip"
# The database went away under a step (a restart, a cut connection): could not look, not a verdict.
_LOST = re.compile(
    r"server closed the connection|terminating connection|connection (is|was|has been) closed|"
    r"ConnectionDoesNotExist|AdminShutdown|CannotConnectNow|Connection refused|could not connect|"
    r"connection failed|the database system is (starting up|shutting down|in recovery)|ConnectionResetError"
)


@dataclass
class Plan:
    start: str  # "base" (an empty database) or the live database's revision (on a copy)
    revisions: list[str]  # after start up to the head, oldest first
    segment: list[str]  # the newest revisions, each with a downgrade: round-tripped
    downs: dict[str, str] = field(default_factory=dict)  # revision -> what its downgrade reaches

    @property
    def bottom(self) -> str:
        return self.downs[self.segment[0]]

    @property
    def only_upgraded(self) -> list[str]:
        return [rev for rev in self.revisions if rev not in self.segment]


def plan_round_trip(ini: Path, app: AppCode, current: list[str] | None, fresh: bool) -> Plan | str:
    """What to step, or why nothing is (a ``pytest.skip`` reason: "n/a: ..." / "not run: ...")."""
    graph = head_revisions(ini, app.spec.dir, app)
    heads = sorted(graph.get_heads())
    if len(heads) != 1:
        return f"not run: {msg('trip.several_heads', n=len(heads), heads=', '.join(heads))}"
    start = "base"
    if not fresh:
        if not current or len(current) > 1 or not all(known_revision(graph, r) for r in current):
            recorded = ", ".join(current or []) or msg("trip.no_revision")
            return f"not run: {msg('trip.records', revisions=recorded)}"
        start = current[0]
    revisions = pending_revisions(graph, None if start == "base" else [start]) or []
    if not revisions:
        return f"n/a: {msg('trip.none_pending', start=start)}"
    downs = {rev: _down_of(graph, rev) for rev in revisions}
    segment: list[str] = []
    for rev in reversed(revisions):
        if downs[rev] is None or not _has_downgrade(graph, rev):
            break
        segment.insert(0, rev)
    if not segment:
        return _no_downgrades(graph, revisions, heads[0])
    return Plan(start, revisions, segment, {r: d for r, d in downs.items() if d is not None})


def _no_downgrades(graph: Any, revisions: list[str], head: str) -> str:
    if not any(_has_downgrade(graph, rev) for rev in revisions):
        return f"n/a: {msg('trip.no_downgrades')}"
    return f"n/a: {msg('trip.newest_no_downgrade', head=head)}"


def _downs(graph: Any, revision: str) -> tuple[str, ...]:
    if isinstance(graph, RevisionGraph):
        return graph.revisions[revision].down
    if isinstance(graph, AppScripts):
        return tuple(graph.revisions[revision])
    down = graph.get_revision(revision).down_revision
    return () if down is None else (down,) if isinstance(down, str) else tuple(down)


def _down_of(graph: Any, revision: str) -> str | None:
    """Where its downgrade goes: the one revision below, "base"; ``None`` for a merge."""
    downs = _downs(graph, revision)
    return None if len(downs) > 1 else (downs[0] if downs else "base")


def _has_downgrade(graph: Any, revision: str) -> bool:
    if isinstance(graph, RevisionGraph):
        return graph.has_downgrade(revision)
    path = getattr(graph.get_revision(revision), "path", None)
    return downgrade_does_something(Path(path)) if path else True  # unknown: let it run


def round_trip(live: Engine, database: Engine, ini: Path, spec: DatabaseSpec, app: AppCode, plan: Plan,
               where: str, timeout_s: float) -> CheckResult:  # fmt: skip
    """Walk ``plan`` on ``database`` (throwaway: empty, or a copy of ``live``) with the app's
    migrations; its variables map to ``database``, nothing holding the live password is passed."""
    url = database.url.render_as_string(hide_password=False)
    env = app.environment(url, strip=live_secrets(live.url.render_as_string(hide_password=False)))
    env["HV_STEPS_URL"] = url
    env["HV_ALEMBIC_SECTION"] = ini_section(ini)
    with MigrationSteps(app, ini, env, timeout_s) as steps:
        return RoundTrip(database, steps, plan, spec, where).run()


class RoundTrip:
    """One walk over a plan on ``database`` with ``steps``; ``run`` gives the verdict."""

    def __init__(self, database: Engine, steps: MigrationSteps, plan: Plan, spec: DatabaseSpec,
                 where: str) -> None:  # fmt: skip
        self.database, self.steps, self.plan, self.spec, self.where = database, steps, plan, spec, where
        self.version = label("tables", spec.version_table_schema, spec.version_table, "")
        self.log: list[dict[str, Any]] = []
        self.before: dict[str, Snapshot] = {}

    def run(self) -> CheckResult:
        plan = self.plan
        if plan.start == plan.bottom:
            self.before[plan.bottom] = self.look()
        for rev in plan.revisions:
            if failed := self.step("upgrade", rev, rev, msg("trip.when.upgrade")):
                return failed
            if rev == plan.bottom or rev in plan.segment:
                self.before[rev] = self.look()
        for rev in reversed(plan.segment):
            down = plan.downs[rev]
            if failed := self.step("downgrade", down, rev, msg("trip.when.downgrade_to", down=down)):
                return failed
            if differences := changes(self.look(), self.before[down], "downgrade"):
                return self.not_undone(rev, down, differences)
        for rev in plan.segment:
            if failed := self.step("upgrade", rev, rev, msg("trip.when.again")):
                return failed
            if differences := changes(self.look(), self.before[rev], "upgrade"):
                return self.rebuilt_differently(rev, differences)
        return self.passed()

    def look(self) -> Snapshot:
        with database_errors(self.database), self.database.connect() as connection:
            snap = without_table(snapshot(connection, app_schemas(connection)), self.version)
        # A schema alone is not compared: env.py itself may create one (a tenant's, the
        # version table's) on the first command, before any revision ran. What is in it is.
        snap["schemas"] = {}
        return snap

    def step(self, verb: str, target: str, revision: str, when: str) -> CheckResult | None:
        """One alembic command; a failure of it as the verdict, else ``None`` (version checked)."""
        started = time.monotonic()
        output = self.steps.run(verb, target)
        self.log.append({"command": f"alembic {verb} {target}", "seconds": round(time.monotonic() - started, 2),
                         "ok": output is None})  # fmt: skip
        if output is not None and _LOST.search(output):
            raise DatabaseUnreachable(msg("trip.went_away", item=ITEM, verb=verb, target=target,
                                          error=parse_failure(output)["message"]))  # fmt: skip
        if output is not None:
            return self.step_failed(revision, when, parse_failure(output))
        with database_errors(self.database), self.database.connect() as connection:
            at = read_db_revisions(connection, self.spec) or []
        if at != ([] if target == "base" else [target]):
            raise ConfigError(
                msg("trip.built_elsewhere", item=ITEM, verb=verb, target=target, at=at or msg("trip.no_revision")),
                hint=msg("trip.database_env_hint"),
            )  # fmt: skip
        return None

    def evidence(self) -> dict[str, Any]:
        return {"database": self.where, "round_tripped": self.plan.segment,
                "only_upgraded": self.plan.only_upgraded, "steps": self.log}  # fmt: skip

    def passed(self) -> CheckResult:
        plan = self.plan
        left = msg("trip.only_upgraded", n=len(plan.only_upgraded), revisions=", ".join(plan.only_upgraded)) \
            if plan.only_upgraded else ""
        summary = msg("trip.pass", n=len(plan.segment), first=plan.segment[0], last=plan.segment[-1],
                      bottom=plan.bottom, where=self.where)  # fmt: skip
        return CheckResult.passed(ITEM, sentences(summary, left), **self.evidence())

    def step_failed(self, revision: str, when: str, failure: dict[str, str]) -> CheckResult:
        statement = msg("trip.statement", sql=failure["statement"]) if failure["statement"] else ""
        if when.startswith("downgrade"):
            remedy = msg("trip.fix_downgrade", revision=revision)
        else:
            upgrade = backend_of(self.steps.app.spec).upgrade  # flask db upgrade for Flask-Migrate
            remedy = msg("trip.fix_upgrade_with", revision=revision, where=self.where, upgrade=upgrade)
        summary = msg("trip.fails", revision=revision, when=when, where=self.where, error=failure["error"],
                      message=failure["message"])  # fmt: skip
        return CheckResult.failed(
            ITEM, sentences(summary, statement),
            remediation=remedy, expected={"failing_revisions": []}, failing_revision=revision,
            failure=failure, **self.evidence(),
        )  # fmt: skip

    def not_undone(self, revision: str, down: str, differences: list[str]) -> CheckResult:
        names = ", ".join(d.split(": ", 1)[0] for d in differences[:6])
        return CheckResult.failed(
            ITEM, msg("trip.not_undone", revision=revision, down=down, n=len(differences), names=names),
            remediation=msg("trip.not_undone_remedy", revision=revision),
            expected={"differences": []}, failing_revision=revision, differences=differences,
            **self.evidence(),
        )  # fmt: skip

    def rebuilt_differently(self, revision: str, differences: list[str]) -> CheckResult:
        names = ", ".join(d.split(": ", 1)[0] for d in differences[:6])
        return CheckResult.failed(
            ITEM, msg("trip.rebuilt", revision=revision, n=len(differences), names=names),
            remediation=msg("trip.rebuilt_remedy", revision=revision),
            expected={"differences": []}, failing_revision=revision, differences=differences,
            **self.evidence(),
        )  # fmt: skip
