"""routes: the route list the app serves (its OpenAPI document, or where it serves none, the
route table the app declares: Flask's url_map, Starlette's routes) equals the expected list.

Names every missing and every unexpected route. A missing route whose tail turns up under
another prefix is called out as "moved", the `include_router(prefix=...)` mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from harness.checks.backend import Backend
from harness.checks.routelist import Route, RoutesSpec, routes_from_openapi
from harness.errors import ConfigError
from harness.messages.core import msg, sentences
from harness.result import CheckResult
from harness.stack.appcode import AppCode
from harness.transport.http import HttpClient

ITEM = "routes"
SNAPSHOT_HINT = "python -m harness routes snapshot --target NAME --out FILE"
# The app's factory may insist on a database URL; building the route table must not use one.
_NO_DATABASE = "postgresql://hv-routes@127.0.0.1:1/hv_route_inventory"


def app_declared_routes(app: AppCode, database_url: str | None = None) -> tuple[list[Route], str]:
    """The routes the app's own code declares, asked in its interpreter and folder
    (helpers/app_routes.py); an app that cannot be loaded is an AppCodeError (exit 4).
    ``database_url``: the harness's own database, for an app that connects while it is
    imported (a local stack's; never a remote target's)."""
    env = app.environment(database_url or _NO_DATABASE)
    answer = app.helper("app_routes", [app.spec.served], env, timeout_s=120)
    routes = [Route.parse(line, "app_routes") for line in answer["routes"]]
    return routes, msg("routes.app_table", framework=answer["framework"], served=app.spec.served)


def check_app_routes(
    app: AppCode, spec: RoutesSpec, expected: list[Route], database_url: str | None = None
) -> CheckResult:
    """routes for an app with no OpenAPI document: its declared table against the list."""
    served, source = app_declared_routes(app, database_url)
    return compare_routes(spec.keep(served), spec.keep(expected), source, spec.backend)


Headers = Mapping[str, str] | Callable[[], Mapping[str, str]] | None


def fetch_served_routes(
    client: HttpClient, spec: RoutesSpec, headers: Headers = None
) -> tuple[list[Route] | None, str]:
    """The routes in the served OpenAPI document, or ``None`` and why it could not be read.

    Fetched without credentials first (OpenAPI is usually public), so a login that fails
    does not turn into a routes failure; ``headers`` (or the login they call) only on 401/403.
    """
    if spec.openapi_path is None:
        raise ConfigError(
            msg("routes.no_openapi"), hint=msg("routes.nothing_to_fetch")
        )
    response = client.get(spec.openapi_path)
    if response.status_code in (401, 403) and headers is not None:
        given = headers() if callable(headers) else headers
        response = client.get(spec.openapi_path, headers=dict(given))
    where = f"GET {response.request.url}"
    if response.status_code != 200:
        return None, msg("routes.answered", where=where, status=response.status_code)
    try:
        return routes_from_openapi(response.json()), where
    except ValueError as exc:
        return None, msg("routes.not_openapi", where=where, error=exc)


def check_routes(
    client: HttpClient, spec: RoutesSpec, expected: list[Route], headers: Headers = None
) -> CheckResult:
    served, source = fetch_served_routes(client, spec, headers)
    if served is None:
        return CheckResult.failed(
            ITEM,
            msg("routes.unreadable", source=source),
            remediation=msg("routes.openapi_remedy"),
            expected={"openapi_path": spec.openapi_path},
            openapi=source,
        )
    return compare_routes(spec.keep(served), spec.keep(expected), source, spec.backend)


def compare_routes(
    served: list[Route], expected: list[Route], source: str, backend: Backend | None = None
) -> CheckResult:
    served_keys = {r.key for r in served}
    expected_keys = {r.key for r in expected}
    missing = sorted(r for r in expected if r.key not in served_keys)
    unexpected = sorted(r for r in served if r.key not in expected_keys)
    evidence = {"openapi": source, "served_count": len(served), "expected_count": len(expected)}
    if not missing and not unexpected:
        return CheckResult.passed(
            ITEM, msg("routes.pass", n=len(expected)), **evidence
        )
    moved = moved_routes(missing, unexpected)
    return CheckResult.failed(
        ITEM,
        _summary(missing, unexpected, moved),
        remediation=_remedy(missing, unexpected, moved, backend or Backend()),
        expected={"routes": len(expected)},
        missing=[str(r) for r in missing],
        unexpected=[str(r) for r in unexpected],
        moved={str(m): str(u) for m, u in moved.items()},
        **evidence,
    )


def moved_routes(missing: list[Route], unexpected: list[Route]) -> dict[Route, Route]:
    """Missing routes served under another prefix: same method, same last two segments."""
    by_tail: dict[tuple[str, str], Route] = {}
    for route in unexpected:
        by_tail.setdefault(_tail(route), route)
    return {m: by_tail[_tail(m)] for m in missing if _tail(m) in by_tail and _tail(m)[1]}


def _tail(route: Route) -> tuple[str, str]:
    method, path = route.key
    return method, "/".join(path.rstrip("/").split("/")[-2:])


def _summary(missing: list[Route], unexpected: list[Route], moved: dict[Route, Route]) -> str:
    parts = []
    if missing:
        parts.append(msg("routes.missing", n=len(missing), routes=", ".join(map(str, missing))))
    if unexpected:
        parts.append(msg("routes.unexpected", n=len(unexpected), routes=", ".join(map(str, unexpected))))
    if moved:
        parts.append(msg("routes.moved", moves=", ".join(f"{m.path} -> {u.path}" for m, u in moved.items())))
    return sentences(*parts)


def _remedy(
    missing: list[Route], unexpected: list[Route], moved: dict[Route, Route], backend: Backend
) -> str:
    if moved:
        return backend.wrong_prefix()
    if missing:
        return (
            f"{backend.mount_missing()}; if the change is intended, "
            f"regenerate the expected list: {SNAPSHOT_HINT}"
        )
    return (
        "remove the routes not in the contract (debug/admin endpoints) or, if intended, add them "
        f"to the expected list: {SNAPSHOT_HINT}"
    )
