"""One test's use of the wallet flow: may it write, fingerprint before, clean up after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from harness.config.targets import Target
from harness.flow import db as wallet_db
from harness.flow.api import Tagger, WalletApi
from harness.flow.config import WalletTables
from harness.flow.wallet import CLEANUP, LedgerReader, check_cleanup
from harness.messages.core import msg
from harness.result import CheckResult
from harness.transport.db import database_errors

LEFTOVER_PURPOSE = "cleanup left by an earlier test of this worker"


def writes_refusal(target: Target) -> str | None:
    """Why the writing wallet flow must not run against ``target``, or None if it may."""
    if target.production:
        return f"n/a: {msg('flow.na_production', name=target.name)}"
    if not target.allow_writes:
        return f"n/a: {msg('flow.na_read_only', name=target.name)}"
    return None


@dataclass
class WalletRun:
    """The flow's API and tags, plus the database (if the profile has one): ``engine``
    (read-only) for the ledger's system side and the fingerprint, ``writer`` for cleanup."""

    api: WalletApi
    tags: Tagger
    engine: Engine | None
    db: WalletTables
    before: dict[str, Any] | None = None
    writer: Engine | None = None

    @property
    def ledger(self) -> LedgerReader | None:
        if self.engine is None:
            return None
        engine, db = self.engine, self.db

        def read(task_id: int) -> list[dict[str, Any]]:
            with database_errors(engine):
                return wallet_db.task_ledger(engine, db, task_id)

        return read

    def begin(self) -> None:
        if self.engine is None:
            return
        with database_errors(self.engine):  # a restart now: blocked, not an error
            if self.writer is not None:
                # An earlier test of this worker whose cleanup could not run (the database
                # restarting under it) left tagged rows: remove them before "before" is taken,
                # or this test's cleanup would remove them and its fingerprint would differ.
                wallet_db.cleanup(self.writer, self.db, self.tags.prefix, purpose=LEFTOVER_PURPOSE)
            self.before = wallet_db.fingerprint(self.engine, self.db, self.tags.prefix)

    def finish(self) -> CheckResult:
        """Remove this worker's tagged rows and prove, by fingerprint, nothing else changed."""
        if self.engine is None or self.writer is None or self.before is None:
            return CheckResult.passed(
                CLEANUP,
                msg("flow.not_cleaned_no_db", prefix=self.tags.prefix),
                tag_prefix=self.tags.prefix,
            )
        with database_errors(self.writer):
            removed = wallet_db.cleanup(self.writer, self.db, self.tags.prefix)
        with database_errors(self.engine):
            after = wallet_db.fingerprint(self.engine, self.db, self.tags.prefix)
        return check_cleanup(self.before, after, removed)
