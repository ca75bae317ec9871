"""routes-reachable and health at the edges (issue 25.1, 25.2): what a sweep's answers say
together. A proxy that drops ``Authorization`` on one prefix in front of examples/template_app
(which checks its JWT itself), and a base_url that redirects everything to another host.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from proxy import ReverseProxy, serve
from support import REPO, example_venv

from harness.config.targets import resolve_target
from harness.stack import LocalStack

pytestmark = pytest.mark.stack

SUITES = ("suites/test_routes.py", "suites/test_health.py")
ITEMS = "/api/v1/items"
# Not a server: a redirect is never followed, and nothing listens on the discard port.
ELSEWHERE = "http://localhost:9"


def checks_of(project, item: str) -> list[dict]:
    return [c for t in project.results()["tests"] for c in t["checks"] if c["item"] == item]


@pytest.fixture(scope="module")
def template_app() -> Iterator[str]:
    """examples/template_app on the machine's PostgreSQL, started once: its own JWT login."""
    example_venv("template_app")
    target = resolve_target("template", REPO / "targets.toml", environ={})
    stack = LocalStack(target)
    try:
        yield stack.start(lambda _: None).base_url
    finally:
        stack.stop()


def template_remote(base_url: str, *, login: bool = True) -> dict:
    """The template's remote profile (read-only), pointed at ``base_url``."""
    profile = tomllib.loads((REPO / "targets.toml").read_text())["targets"]["template-remote"]
    if not login:
        profile.pop("auth")
    return {"targets": {"edge": {**profile, "base_url": base_url, "database_url": "", "health": {
        **profile["health"], "wait_timeout_s": 5.0}}}}  # fmt: skip


def test_credentials_reaching_every_prefix_keep_routes_reachable_green(project, template_app):
    with serve(ReverseProxy(template_app, forward_auth=True)) as url:
        project.set_targets(template_remote(url))
        result = project.run(*SUITES, "--target=edge")
    assert project.failed_items() == set(), result.stdout.str()
    assert result.ret == 0


def test_proxy_dropping_authorization_on_one_prefix_fails_naming_it(project, template_app):
    proxy = ReverseProxy(template_app, forward_auth=True, strip_auth=(ITEMS,))
    with serve(proxy) as url:
        project.set_targets(template_remote(url))
        result = project.run(*SUITES, "--target=edge")
    assert result.ret == 1, result.stdout.str()
    assert project.failed_items() == {"routes-reachable"}
    reach = checks_of(project, "routes-reachable")[0]
    assert reach["summary"].startswith(f"credentials do not reach the routes under {ITEMS}/; ")
    assert reach["evidence"]["verdicts"]["no-credentials"] == 3
    refused = [line.split(" -> ")[0] for line in reach["evidence"]["unreachable"]]
    assert refused == ["DELETE /api/v1/items/{id}", "GET /api/v1/items/", "GET /api/v1/items/{id}"]
    # The witness outside the prefix proves the token itself works.
    assert reach["evidence"]["auth_witness"]["path"] == "/api/v1/users/"
    assert all("to the credentials GET /api/v1/users/ accepts" in line for line in reach["evidence"]["unreachable"])
    assert "Authorization header" in reach["remediation"] and f"{ITEMS}/" in reach["remediation"]
    result.stdout.fnmatch_lines([f"*credentials do not reach the routes under {ITEMS}/*"])


def test_base_url_redirecting_to_another_host_is_neither_healthy_nor_reachable(project):
    with serve(ReverseProxy("http://127.0.0.1:9", redirect_to=ELSEWHERE)) as url:
        project.set_targets(template_remote(url, login=False))
        result = project.run(*SUITES, "--target=edge")
    assert result.ret == 1, result.stdout.str()
    assert {"health", "routes-reachable"} <= project.failed_items()
    health = checks_of(project, "health")[0]
    assert f"a redirect to {ELSEWHERE}/api/v1/utils/health-check/" in health["summary"]
    assert "base_url may be wrong" in health["remediation"] and ELSEWHERE in health["remediation"]
    reach = checks_of(project, "routes-reachable")[0]
    assert reach["evidence"]["verdicts"] == {"redirect": 13}
    assert reach["summary"].startswith(f"{url} redirects the routes to another address, {ELSEWHERE}; 13 of 13")
    assert "base_url may be wrong" in reach["remediation"]
