"""Deliberate, named faults the harness switches on to prove it catches them.

TEMPLATE_APP_FAULTS (comma separated) is read once, when this module is first
imported. The models import it too, so a fault that changes a model applies
both to the served app and to a separate process (Alembic, the harness's
schema check) that only imports `app.models`. An unknown name stops the import:
a typo must never silently run the healthy app.
"""

import os
from collections.abc import Iterable

ENV_VAR = "TEMPLATE_APP_FAULTS"

MODEL_COLUMN_WITHOUT_MIGRATION = "model_column_without_migration"
ITEMS_ROUTER_NOT_MOUNTED = "items_router_not_mounted"
HEALTH_500 = "health_500"
OPTIONS_DELETES_CALLER = "options_deletes_caller"
NO_PRE_PING = "no_pre_ping"

VALID_FAULTS: frozenset[str] = frozenset(
    {
        MODEL_COLUMN_WITHOUT_MIGRATION,
        ITEMS_ROUTER_NOT_MOUNTED,
        HEALTH_500,
        OPTIONS_DELETES_CALLER,
        NO_PRE_PING,
    }
)


class UnknownFaultError(ValueError):
    """TEMPLATE_APP_FAULTS names a fault that does not exist."""


def parse_faults(raw: str | None) -> frozenset[str]:
    """Parse a comma-separated list; blanks and surrounding spaces are ignored."""
    names = (part.strip() for part in (raw or "").split(","))
    return validate_faults(name for name in names if name)


def validate_faults(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set, or fail listing every valid name."""
    chosen = frozenset(names)
    unknown = sorted(chosen - VALID_FAULTS)
    if unknown:
        raise UnknownFaultError(
            f"unknown {ENV_VAR} value(s): {', '.join(unknown)}; "
            f"valid names are: {', '.join(sorted(VALID_FAULTS))}"
        )
    return chosen


FAULTS: frozenset[str] = parse_faults(os.environ.get(ENV_VAR))


def active(name: str) -> bool:
    """True when the named fault is switched on for this process."""
    return name in FAULTS
