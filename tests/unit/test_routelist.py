"""Route lists: parsing, the [routes] profile section, OpenAPI, the inventory comparison."""

import json
from pathlib import Path

import pytest

from harness.checks.routelist import (
    Route,
    expected_document,
    load_expected,
    routes_from_openapi,
    routes_spec,
)
from harness.checks.routes import compare_routes
from harness.config.targets import Target
from harness.errors import ConfigError


def target(routes: dict, base: Path = Path("/repo")) -> Target:
    return Target(
        name="t", kind="remote", base_url="http://x", raw={"routes": routes}, base_dir=base
    )


def test_defaults_and_relative_expected_path():
    spec = routes_spec(target({"expected": "expected_routes/app.json"}))
    assert spec.openapi_path == "/openapi.json" and spec.concurrency == 32
    assert spec.expected_file == Path("/repo/expected_routes/app.json")
    assert routes_spec(target({"openapi_path": ""})).openapi_path is None


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"concurrency": 0}, "routes.concurrency"),
        ({"concurrency": True}, "routes.concurrency"),
        ({"timeout_s": "fast"}, "routes.timeout_s"),
        ({"openapi_path": "openapi.json"}, "routes.openapi_path"),
        ({"ignore": "/docs"}, "routes.ignore"),
        ({"path_params": ["1"]}, "routes.path_params"),
        ({"write_probe": "yolo"}, "routes.write_probe"),
        ({"expectd": "x"}, "unknown key 'expectd'"),
    ],
)
def test_bad_routes_section_names_the_key(table, named):
    with pytest.raises(ConfigError, match=named):
        routes_spec(target(table))


def test_ignore_globs_with_and_without_method():
    spec = routes_spec(target({"ignore": ["/docs*", "POST /api/admin/*"]}))
    assert spec.ignored(Route("GET", "/docs/oauth2-redirect"))
    assert spec.ignored(Route("POST", "/api/admin/reset"))
    assert not spec.ignored(Route("GET", "/api/admin/stats"))


def test_openapi_paths_under_server_prefix_and_all_methods():
    doc = {
        "servers": [{"url": "https://h.example/api/v1"}],
        "paths": {"/users/{id}": {"get": {}, "delete": {}, "parameters": []}},
    }
    assert routes_from_openapi(doc) == [
        Route("DELETE", "/api/v1/users/{id}"),
        Route("GET", "/api/v1/users/{id}"),
    ]
    assert routes_from_openapi({"basePath": "/v2", "paths": {"/a": {"post": {}}}}) == [
        Route("POST", "/v2/a")
    ]
    with pytest.raises(ValueError):
        routes_from_openapi({"openapi": "3.1.0"})


def test_expected_file_round_trip_and_errors(tmp_path):
    path = tmp_path / "routes.json"
    path.write_text(
        expected_document(
            [Route("GET", "/b"), Route("GET", "/a"), Route("GET", "/a")], "/openapi.json"
        )
    )
    assert json.loads(path.read_text())["routes"] == ["GET /a", "GET /b"]
    assert load_expected(path) == [Route("GET", "/a"), Route("GET", "/b")]
    path.write_text('{"routes": ["FETCH /a"]}')
    with pytest.raises(ConfigError, match="'FETCH /a' is not a route"):
        load_expected(path)
    with pytest.raises(ConfigError, match=r"missing\.json not found") as info:
        load_expected(tmp_path / "missing.json")
    assert "routes snapshot" in info.value.hint


def test_comparison_ignores_parameter_names_and_names_everything():
    expected = [Route("GET", "/api/users/{user_id}"), Route("GET", "/api/wallet/supply")]
    served = [
        Route("GET", "/api/users/{id}"),
        Route("GET", "/wallet/supply"),
        Route("GET", "/api/debug/echo"),
    ]
    result = compare_routes(served, expected, "GET /openapi.json")
    assert not result.ok
    assert result.evidence["missing"] == ["GET /api/wallet/supply"]
    assert result.evidence["unexpected"] == ["GET /api/debug/echo", "GET /wallet/supply"]
    assert result.evidence["moved"] == {"GET /api/wallet/supply": "GET /wallet/supply"}
    assert "prefix" in result.remediation
    assert compare_routes(expected, expected, "x").ok
