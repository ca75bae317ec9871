"""What init learns from the app itself: its routes (the expected list), path parameters,
login route and health route, asked of the app's interpreter (harness.init.app_probe) or,
for an app that connects to its database at import, of the app served by the local target
(harness.init.served).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.checks.routelist import expected_document
from harness.errors import HarnessError
from harness.init.app_probe import (
    ProbeFailed,
    Served,
    health_route,
    login_route,
    path_param_values,
    probe_app,
)
from harness.init.health import HealthChoice, LiveAnswer, choose_health, parameterless_gets
from harness.init.profile import Plan
from harness.init.settle import probe_variables

EXPECTED_FILE = "expected_routes.json"


def plan_from_app(plan: Plan, ask: Any) -> tuple[bool, Served | None]:
    """Fill ``plan`` from the imported app; (it connects to a database at import, so the
    routes must be read from the served app instead (``plan_from_served_app``), what the
    app serves)."""
    found = plan.found
    served_as = str(found.wsgi or found.asgi)
    try:
        served = probe_app(found.python, found.app_dir, served_as, probe_variables(found))
    except ProbeFailed as exc:
        if exc.connects:
            return True, None
        plan.todo.append(f"{exc}; routes not written (python -m harness routes snapshot, later)")
        _unknown_health(plan)
        return False, None
    except (RuntimeError, OSError) as exc:
        plan.todo.append(f"{exc}; routes not written (python -m harness routes snapshot, later)")
        _unknown_health(plan)
        return False, None
    _apply(plan, served, None, ask)
    return False, served


def stands_in(plan: Plan, served: Served) -> bool:
    """No route is named like a health check and a cheap GET stands in as init proposed it:
    only the served app can tell whether that GET answers 200 (a redirect, a token)."""
    gets = parameterless_gets(served)
    return health_route(served)[0] is None and bool(gets) and plan.health_path == gets[0]


def confirm_health(plan: Plan, served: Served, targets_file: Path, progress: Any) -> None:
    """The stand-in health route chosen again with what the app served by the local target
    of ``targets_file`` answered (harness.init.health.instead_of)."""
    from harness.init.served import ask_served_app  # lazily: it brings the stack in

    try:
        live = ask_served_app(targets_file, served, progress)
    except (HarnessError, RuntimeError, OSError, ValueError) as exc:
        progress(f"could not see what the app answers ({str(exc).splitlines()[0][:200]})")
        return
    before = choose_health(served)
    if before.todo in plan.todo:
        plan.todo.remove(before.todo)
    _health(plan, choose_health(served, live), lambda _question, default: default)


def plan_from_served_app(plan: Plan, targets_file: Path, progress: Any) -> None:
    """The routes and health of the app served by the local target ``targets_file`` holds."""
    from harness.init.served import read_served_app  # lazily: it brings the stack in

    try:
        served, live = read_served_app(targets_file, bool(plan.found.wsgi), progress)
    except (HarnessError, RuntimeError, OSError, ValueError) as exc:
        plan.expected_file = None
        plan.todo.append(
            f"the app connects to its database at import, and the app init started could not "
            f"be read ({str(exc).splitlines()[0]}); routes not written (python -m harness routes "
            "snapshot --target local, later)"
        )
        _unknown_health(plan)
        return
    _apply(plan, served, live, lambda _question, default: default)


def _apply(plan: Plan, served: Served, live: dict[str, LiveAnswer] | None, ask: Any) -> None:
    plan.openapi_path = served.openapi_path
    plan.path_params = path_param_values(served)
    plan.login = login_route(served)
    plan.has_wallet = any("wallet" in route.path for route in served.routes)
    _health(plan, choose_health(served, live), ask)
    plan.expected_text = expected_document(served.routes, served.openapi_path)  # written with the profile
    plan.expected_file = EXPECTED_FILE
    for hook in served.redirects:
        plan.todo.append(
            f"{hook} may redirect every request before it reaches a route (a setup page?): "
            "health and the routes answer 302 until the app is set up; add its setup/seed "
            "command to [app] migrate"
        )
    if plan.login:
        plan.todo.append(
            f"login route {plan.login[0]} found: most routes may need its token ([auth.login], commented out)"
        )


def _health(plan: Plan, choice: HealthChoice, ask: Any) -> None:
    if choice.todo:
        plan.todo.append(choice.todo)
    plan.health_path = ask("health route", choice.path)
    plan.health_expect = None if choice.status_only else choice.expect
    plan.health_status_only = choice.status_only


def _unknown_health(plan: Plan) -> None:
    """No route list: / stands in, status only, said so (never a silent /api/health)."""
    plan.health_path, plan.health_status_only = "/", True
    plan.todo.append(
        "the app's routes are unknown: / stands in for its health route; set [health] path"
    )
