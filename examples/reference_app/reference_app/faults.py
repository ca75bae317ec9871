"""Deliberate, named faults the harness switches on to prove it catches them.

Faults are chosen with REFAPP_FAULTS (comma separated). Unknown names are a
startup error: a typo must never silently run the healthy app.
"""
from collections.abc import Iterable

HEALTH_500 = "health_500"
HEALTH_WRONG_BODY = "health_wrong_body"
HEALTH_SLOW = "health_slow"
DROP_WALLET_ROUTER = "drop_wallet_router"
WALLET_WRONG_PREFIX = "wallet_wrong_prefix"
EXTRA_ROUTE = "extra_route"
REWARD_DROPPED = "reward_dropped"
REWARD_TWICE = "reward_twice"
REWARD_WRONG_AMOUNT = "reward_wrong_amount"
NO_PRE_PING = "no_pre_ping"  # the pool hands out connections the database already closed
# Not a bug but a mode: every /api route but health needs "Authorization: Bearer
# $REFAPP_API_TOKEN", as a protected real app does (the harness must send its [auth]).
REQUIRE_TOKEN = "require_token"
# GET /api/users raises (an unhandled exception naming the database URL, as a careless
# error message would): uvicorn answers 500 and logs the traceback to the app's log.
USERS_LIST_RAISES = "users_list_raises"

VALID_FAULTS: frozenset[str] = frozenset(
    {
        HEALTH_500,
        HEALTH_WRONG_BODY,
        HEALTH_SLOW,
        DROP_WALLET_ROUTER,
        WALLET_WRONG_PREFIX,
        EXTRA_ROUTE,
        REWARD_DROPPED,
        REWARD_TWICE,
        REWARD_WRONG_AMOUNT,
        NO_PRE_PING,
        REQUIRE_TOKEN,
        USERS_LIST_RAISES,
    }
)


class UnknownFaultError(ValueError):
    """Raised when REFAPP_FAULTS names a fault that does not exist."""


def parse_faults(raw: str | None) -> frozenset[str]:
    """Parse a comma-separated fault list; blanks and whitespace are ignored."""
    names = [part.strip() for part in (raw or "").split(",")]
    return validate_faults(name for name in names if name)


def validate_faults(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set, or fail listing every valid name."""
    chosen = frozenset(names)
    unknown = sorted(chosen - VALID_FAULTS)
    if unknown:
        raise UnknownFaultError(
            f"unknown REFAPP_FAULTS value(s): {', '.join(unknown)}; "
            f"valid names are: {', '.join(sorted(VALID_FAULTS))}"
        )
    return chosen
