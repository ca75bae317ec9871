"""harness.checks.answers: what routes-reachable's answers say together (issue 25.1, 25.2)."""

from __future__ import annotations

from harness.checks.answers import folders, mark_redirects, mark_refused, off_site
from harness.checks.reachability import Answer
from harness.checks.routelist import Route

BASE = "http://127.0.0.1:8000"


def answer(route: str, status: int, location: str | None = None) -> Answer:
    method, path = route.split(" ")
    return Answer(Route(method, path), f"{method} {BASE}{path}", "app", status, f"HTTP {status} from the app", location=location)


def test_folders_stop_at_a_parameter():
    assert folders("/api/v1/items/{id}") == ["/api", "/api/v1", "/api/v1/items"]
    assert folders("/users/{id}/ledger") == ["/users"]


def test_a_prefix_answering_401_to_working_credentials_is_marked():
    answers = [
        answer("GET /api/users/", 200), answer("GET /api/items/", 401),
        answer("GET /api/items/{id}", 401), answer("POST /api/items/", 422),
    ]  # fmt: skip
    marked, prefixes = mark_refused(answers, "/api/users/")
    assert prefixes == ["/api/items"]
    assert [a.verdict for a in marked] == ["app", "no-credentials", "no-credentials", "app"]


def test_one_route_wanting_other_credentials_is_the_apps_answer():
    answers = [answer("GET /api/users/", 200), answer("POST /api/auth/refresh", 401), answer("POST /api/auth/login", 422)]
    assert mark_refused(answers, "/api/users/")[1] == []
    # Nor where a route under the prefix proves the credentials arrive.
    answers = [answer("GET /api/users/", 200), answer("GET /api/items/", 401), answer("GET /api/items/{id}", 401),
               answer("GET /api/items/mine", 200)]  # fmt: skip
    assert mark_refused(answers, "/api/users/")[1] == []


def test_most_routes_sent_to_another_host_are_redirects_one_oauth_route_is_not():
    away = "https://elsewhere.example/x"
    answers = [answer("GET /a", 302, away), answer("GET /b", 302, away), answer("GET /c", 200)]
    marked, target = mark_redirects(answers, BASE)
    assert target == "https://elsewhere.example"
    assert [a.verdict for a in marked] == ["redirect", "redirect", "app"]
    oauth = [answer("GET /login/google", 302, away), answer("GET /a", 200), answer("GET /b", 200)]
    assert mark_redirects(oauth, BASE)[1] is None
    # A redirect on the same origin (a trailing slash) is the app answering.
    assert off_site(BASE, "/a/") is None and off_site(BASE, "http://127.0.0.1:8000/a/") is None
