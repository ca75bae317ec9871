"""db-reconnect: after its database connections die, does the app recover on the next request?

A database restart, a failover or an idle-connection reaper ends the app's sessions while
its pool still holds them. With ``pool_pre_ping`` (or ``pool_recycle``) the pool notices and
reconnects; without, the next request on each dead connection answers 5xx. Only the first
request after the cut shows it, so: warm the pool (every safe route once), terminate the
app's backends (``pg_terminate_backend``; never the harness's own, which carry
``application_name = staging-harness``), then send every safe route exactly once, no retry.
Only idle sessions are cut: those are the pooled ones this is about, and a session busy
with another test's request (under xdist) must not be broken into a false failure.

Terminating sessions is a write to someone's database: only where the harness runs the
stack itself (local, containers), or a remote profile that allows writes; otherwise n/a.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Engine, text

from harness.result import CheckResult
from harness.transport import writes
from harness.transport.db import database_errors
from harness.transport.http import HttpClient

ITEM = "db-reconnect"
HARNESS_APP_NAME = "staging-harness"
REMEDY = (
    "the app's connection pool does not survive dropped connections: enable pool_pre_ping=True "
    "(and pool_recycle) on its engine, or catch the disconnect and retry once"
)
_APP_BACKENDS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    " AND coalesce(application_name, '') <> :harness AND state = 'idle'"
)


def safe_paths(routes: Sequence[str], path_params: Mapping[str, str]) -> list[str]:
    """``GET`` routes of the contract with every ``{param}`` filled from ``path_params``."""
    paths = []
    for route in routes:
        method, _, path = route.partition(" ")
        for name, value in path_params.items():
            path = path.replace("{" + name + "}", str(value))
        if method == "GET" and "{" not in path:
            paths.append(path)
    return paths


def terminate_app_backends(engine: Engine) -> int:
    """End every client session on the app's database except the harness's; how many.
    ``engine`` is a writing one: the cut is recorded as a write."""
    with database_errors(engine), engine.connect() as connection:
        pids = list(connection.execute(_APP_BACKENDS, {"harness": HARNESS_APP_NAME}).scalars())
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    writes.record(engine, "terminate sessions", "the app's idle sessions", count=len(pids), purpose=ITEM)
    return len(pids)


def check_db_reconnect(
    engine: Engine, http: HttpClient, paths: Sequence[str], headers: Mapping[str, str]
) -> CheckResult:
    for path in paths:  # warm: the pool holds a connection to lose
        http.get(path, headers=dict(headers), retry=False)
    terminated = terminate_app_backends(engine)
    answers = {
        path: http.get(path, headers=dict(headers), retry=False).status_code for path in paths
    }
    broken = [f"GET {path}: HTTP {status}" for path, status in answers.items() if status >= 500]
    evidence = {"terminated_sessions": terminated, "answers": answers}
    if broken:
        return CheckResult.failed(
            ITEM, f"{len(broken)} route(s) answered 5xx right after the app's database "
            f"connections were cut: {', '.join(broken)}", remediation=REMEDY, **evidence,
        )  # fmt: skip
    return CheckResult.passed(
        ITEM, f"all {len(paths)} safe route(s) answered without 5xx after {terminated} "
        "database session(s) of the app were terminated", **evidence,
    )  # fmt: skip
