"""routes-reachable without false greens, and a failed login as its own verdict.

One healthy reference app (embedded stack) behind the tests' tiny reverse proxy, seen as a
read-only remote target, as a deployed system behind nginx would be. Each case changes one
thing in front of the app (a method blocked, a text health route, a doubled prefix, a broken
or refusing login) or in the app (a route answering 500) and asserts the verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from proxy import ReverseProxy, serve
from support import REPO
from test_routes import SUITES, checks_of, remote_profile, upstream  # noqa: F401  (fixture)

pytestmark = pytest.mark.stack

PASSWORD = "Edge-Login-Pw-77"
TOKEN = "edge-token-5e4d3c2b1a"
LOGIN = {"login": {"url": "/login", "form": {"username": "harness", "password": "${EDGE_PASSWORD}"}}}


def run_edge(project, proxy: ReverseProxy, **extra: object) -> tuple[pytest.RunResult, str]:
    with serve(proxy) as url:
        project.set_targets({"targets": {"edge": remote_profile(url, **extra)}})
        result = project.run(*SUITES, "--target=edge", env={"EDGE_PASSWORD": PASSWORD})
    return result, url


def reach_of(project) -> dict:
    return checks_of(project, "routes-reachable")[0]


def test_a_proxy_blocking_post_on_one_path_is_seen_read_only(project, upstream):  # noqa: F811
    result, url = run_edge(project, ReverseProxy(upstream, block=(("POST", "/api/users"),)))
    assert project.failed_items() == {"routes-reachable"}, result.stdout.str()
    reach = reach_of(project)
    assert reach["evidence"]["unreachable"] == [
        f"POST /api/users -> POST {url}/api/users: HTTP 403 not from the app: "
        "server 'tinyproxy', text/html, body '403 Forbidden'"
    ]
    assert "proxy/WAF rule" in reach["remediation"]
    assert result.ret == 1


def test_healthy_read_only_probe_lists_the_routes_only_probed_with_options(project, upstream):  # noqa: F811
    result, url = run_edge(project, ReverseProxy(upstream))
    assert result.ret == 0, result.stdout.str()
    reach = reach_of(project)
    # POST /api/users needs a body: probed with POST and malformed JSON, answered 422.
    assert f"POST /api/users -> POST {url}/api/users: HTTP 422 from the app" in reach["evidence"]["answers"]
    only_options = reach["evidence"]["only_probed_with_options"]
    assert "POST /api/users" not in only_options
    assert f"{len(only_options)} writing route(s) only probed with OPTIONS" in reach["summary"] or not only_options


def test_a_text_health_route_does_not_make_the_apps_json_404s_foreign(project, upstream):  # noqa: F811
    result, _ = run_edge(project, ReverseProxy(upstream, plain_health=True), health={"expect": "OK", "wait_timeout_s": 5.0})
    assert result.ret == 0, result.stdout.str()
    reach = reach_of(project)
    assert reach["evidence"]["fingerprint_from"] == "openapi"
    assert "proxy-404" not in reach["evidence"]["verdicts"]


def test_a_base_url_prefix_that_doubles_the_routes_prefix_shows_the_real_url(project, upstream):  # noqa: F811
    with serve(ReverseProxy(upstream)) as url:
        profile = remote_profile(f"{url}/api", health={"path": "/health", "wait_timeout_s": 5.0})
        project.set_targets({"targets": {"edge": profile}})
        project.run("suites/test_routes.py", "-k", "reachable", "--target=edge")
    reach = reach_of(project)
    assert not reach["ok"]
    assert f"GET /api/tasks -> GET {url}/api/api/tasks: HTTP 404" in reach["summary"]
    assert reach["remediation"].startswith("base_url already ends with /api and the routes start with it")


def test_a_5xx_on_a_safe_probe_fails_routes_reachable_unless_allowed(project):
    project.run(*SUITES, faults="health_500")
    reach = reach_of(project)
    assert not reach["ok"]
    assert [line.split(": ", 1)[1] for line in reach["evidence"]["unreachable"]] == [
        "HTTP 500 from the app: '{\"status\":\"error\"}'"
    ]
    assert "allow_5xx" in reach["remediation"]
    project.set_targets({"targets": {"local": {"routes": {"allow_5xx": ["/api/health"]}}}})
    project.run("suites/test_routes.py", faults="health_500")
    assert project.outcomes_by_item()["routes-reachable"] == {"passed"}


@pytest.mark.parametrize(
    ("login_status", "exit_code", "words"),
    [(500, 1, "login: POST http://127.0.0.1:"), (None, 4, "answered HTTP 401")],
    ids=["login-500-is-the-targets-fault", "login-401-is-a-person-to-act"],
)
def test_a_failed_login_is_its_own_one_line_verdict_not_a_routes_failure(
    project, upstream, login_status, exit_code, words  # noqa: F811
):
    proxy = ReverseProxy(upstream, token=TOKEN, password="not-" + PASSWORD,
                         public=("/openapi.json",), login_status=login_status)  # fmt: skip
    result, _ = run_edge(project, proxy, auth=LOGIN)
    assert result.ret == exit_code, result.stdout.str()
    outcomes = project.outcomes_by_item()
    assert outcomes["routes"] == {"passed"}  # the OpenAPI list is public: fetched without auth
    reachable = next(t for t in project.results()["tests"] if "routes-reachable" in t["checklist"])
    assert words in reachable["message"] and "\n" not in reachable["message"]
    assert "Traceback" not in result.stdout.str()


def test_routes_snapshot_does_not_stop_on_a_broken_login(upstream, tmp_path):  # noqa: F811
    proxy = ReverseProxy(upstream, token=TOKEN, public=("/openapi.json",), login_status=500)
    with serve(proxy) as url:
        targets = tmp_path / "targets.toml"
        targets.write_text(
            f'[targets.edge]\nkind = "remote"\nbase_url = "{url}"\n'
            '[targets.edge.routes]\nignore = ["/docs*"]\n'
            '[targets.edge.auth.login]\nurl = "/login"\nform = { username = "u", password = "p" }\n'
        )
        out = tmp_path / "routes.json"
        proc = subprocess.run(
            [sys.executable, "-m", "harness", "routes", "snapshot", "--target", "edge",
             "--target-file", str(targets), "--out", str(out)],
            cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["routes"]
