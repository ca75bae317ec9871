"""Where a started stack answers: plain data, JSON-serialisable, so the xdist controller can
hand it to workers. Its own module so that each kind of stack (harness.stack, .containers,
.compose) returns it without importing the package that chooses among them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class StackAddresses:
    base_url: str
    database_url: str
    timings_s: dict[str, float] = field(default_factory=dict)
    # A copy of the database taken right after the app's upgrade steps, before its other
    # migrate steps ("" = none): the schema the migrations alone build, so schema-drift need
    # not replay them (checks/schema.py).
    migrated_snapshot_url: str = ""
    # The migrate step stopped on several Alembic heads (MigrationsDiverged): only
    # migration-head is judged, on the database as the step left it; "" = it ran.
    migrate_stopped: str = ""
    # The served app's log ("" = no app served here): the report shows the tracebacks a
    # failing test's requests left in it (harness.plugin.applog).
    app_log: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> StackAddresses:
        return cls(**json.loads(text))
