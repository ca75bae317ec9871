"""probe_for: a writing route is never sent a request its handler runs (issue 23).

The probes are sent to a real FastAPI app in process (Starlette's TestClient, no network)
whose handlers and dependencies record that they ran: none of the writing handlers may.
"""

from __future__ import annotations

import uuid
from enum import Enum

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from harness.checks.probing import MALFORMED_JSON, probe_for
from harness.checks.routelist import Route, RoutesSpec, routes_from_openapi, routes_spec
from harness.checks.shapes import NOT_A, operation_shapes
from harness.config.targets import Target

RAN: list[str] = []


def auth() -> str:
    RAN.append("dependency")
    return "user"


class Thing(BaseModel):
    name: str


class Colour(str, Enum):  # noqa: UP042 the str-Enum an app of ours declares, as apps write it
    red = "red"


def destructive_app() -> FastAPI:
    app = FastAPI()

    @app.post("/things")
    def create(body: Thing, user: str = Depends(auth)) -> dict:
        RAN.append("create")
        return {}

    @app.put("/things/{thing_id}")
    def replace(thing_id: int, body: Thing) -> dict:
        RAN.append("replace")
        return {}

    @app.delete("/things/{thing_id}")
    def delete(thing_id: int, user: str = Depends(auth)) -> dict:
        RAN.append("delete")
        return {}

    @app.delete("/users/me")
    def delete_me(user: str = Depends(auth)) -> dict:
        RAN.append("delete me")
        return {}

    @app.post("/jobs/{job_id}/run")
    def run_job(job_id: uuid.UUID) -> dict:
        RAN.append("run job")
        return {}

    @app.patch("/colours/{colour}")
    def paint(colour: Colour) -> dict:
        RAN.append("paint")
        return {}

    @app.post("/purge")
    def purge(confirm: bool) -> dict:
        RAN.append("purge")
        return {}

    @app.post("/slugs/{slug}")
    def touch(slug: str) -> dict:
        RAN.append("touch")
        return {}

    @app.get("/things")
    def read() -> list:
        return []

    return app


EXPECTED_KIND = {
    "POST /things": ("malformed-body", 422),
    "PUT /things/{thing_id}": ("malformed-body", 422),
    "DELETE /things/{thing_id}": ("refused-path-value", 422),
    "DELETE /users/me": ("options", 405),
    "POST /jobs/{job_id}/run": ("refused-path-value", 422),
    "PATCH /colours/{colour}": ("refused-path-value", 422),
    "POST /purge": ("missing-query", 422),
    "POST /slugs/{slug}": ("options", 405),
    "GET /things": ("own", 200),
}


@pytest.fixture
def app_and_shapes():
    RAN.clear()
    app = destructive_app()
    document = app.openapi()
    return app, operation_shapes(document), routes_from_openapi(document)


@pytest.mark.parametrize(
    "params", [{}, {"thing_id": "1", "job_id": str(uuid.uuid4()), "slug": "a"}]
)
def test_no_writing_handler_runs_and_the_framework_answers(app_and_shapes, params):
    app, shapes, routes = app_and_shapes
    spec = RoutesSpec(path_params=params)  # real ids in the profile change nothing
    client = TestClient(app)
    seen = {}
    for route in routes:
        probe = probe_for(route, spec, shapes)
        seen[str(route)] = (
            probe.kind,
            client.request(probe.method, probe.path, **probe.kwargs).status_code,
        )
    assert seen == EXPECTED_KIND
    assert RAN in ([], ["dependency"], ["dependency", "dependency"])  # never a handler
    # A malformed body is refused before any dependency is solved.
    RAN.clear()
    probe = probe_for(Route("POST", "/things"), spec, shapes)
    assert client.request(probe.method, probe.path, **probe.kwargs).status_code == 422 and RAN == []


def test_a_body_probe_also_carries_a_refused_path_value(app_and_shapes):
    _, shapes, _ = app_and_shapes
    probe = probe_for(
        Route("PUT", "/things/{thing_id}"), RoutesSpec(path_params={"thing_id": "7"}), shapes
    )
    assert (probe.method, probe.path, probe.kwargs["content"]) == (
        "PUT",
        f"/things/{NOT_A['integer']}",
        MALFORMED_JSON,
    )


def test_param_names_differing_from_openapi_are_matched_by_position(app_and_shapes):
    _, shapes, _ = app_and_shapes
    probe = probe_for(Route("DELETE", "/things/{id}"), RoutesSpec(path_params={"id": "7"}), shapes)
    assert probe.path == f"/things/{NOT_A['integer']}"


def test_without_openapi_every_writing_route_gets_options():
    # A Flask app's list comes from its url_map: its handlers read JSON lazily, so a malformed
    # body would not prove the handler did not run.
    for text in ("POST /api/users", "DELETE /api/users/me", "PUT /api/tasks/{task_id}", "PATCH /x"):
        probe = probe_for(Route(*text.split(" ")), RoutesSpec(path_params={"task_id": "7"}), {})
        assert (probe.method, probe.kwargs, probe.kind) == ("OPTIONS", {}, "options")
    assert (
        probe_for(Route("GET", "/a/{slug}"), RoutesSpec(path_params={"slug": "a b/c"})).path
        == "/a/a%20b%2Fc"
    )


def test_write_probe_options_sends_options_only(app_and_shapes):
    _, shapes, routes = app_and_shapes
    spec = RoutesSpec(write_probe="options")
    assert {probe_for(r, spec, shapes).method for r in routes if r.writes} == {"OPTIONS"}


def test_write_probe_send_is_read_as_auto_with_a_note(tmp_path):
    target = Target(
        name="t", kind="remote", base_dir=tmp_path, raw={"routes": {"write_probe": "send"}}
    )
    spec = routes_spec(target)
    assert spec.write_probe == "auto"
    assert 'write_probe = "send" is ignored' in spec.note and "remove the key" in spec.note
    assert routes_spec(Target(name="t", kind="remote", base_dir=tmp_path, raw={})).note == ""


def test_a_route_typed_in_its_pattern_is_not_taken_for_a_missing_route():
    # Starlette's {thing_id:int}: a refused text matches no route at all (its 404 says "no such
    # route"); OPTIONS at the plain path shows the route is there.
    from harness.checks.reachability import ProbeContext, check_routes_reachable

    app = FastAPI()

    @app.delete("/things/{thing_id:int}")
    def delete(thing_id: int) -> dict:
        RAN.append("delete")
        return {}

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok"}

    RAN.clear()
    transport = TestClient(app)._transport
    ctx = ProbeContext(
        "http://testserver", "/api/health", True, transport=transport, openapi_path="/openapi.json"
    )
    result = check_routes_reachable(ctx, RoutesSpec(), [Route("DELETE", "/things/{thing_id}")])
    assert result.ok, result.summary
    assert result.evidence["writing_probes"] == {"refused-path-value": 1} and RAN == []
