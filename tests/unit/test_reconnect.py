"""db-reconnect's parts that need no stack: which routes it sends, the one retry on a reset
connection (httpx.MockTransport: retry logic only), the app's engine line read from its
source, and the Japanese of every message. The verdicts themselves are proven on real
stacks in tests/e2e/test_db_reconnect.py."""

from __future__ import annotations

import re
import textwrap

import httpx
import pytest

from harness.checks.dbactivity import Sessions
from harness.checks.enginesite import EngineSite, engine_sites
from harness.checks.reconnect import REMEDY_ID, engine_remedy, reconnect_plan, send
from harness.checks.routelist import Route, RoutesSpec
from harness.messages.core import Message, msg
from harness.report.messages import translate, translated
from harness.transport.http import HttpClient

ROUTES = [Route.parse(r, "test") for r in (
    "GET /api/users", "GET /api/users/{user_id}", "GET /api/items/{item_id}", "POST /api/users",
    "GET /api/admin/stats", "GET /api/broken", "GET /docs", "GET /api/health",
)]  # fmt: skip


def test_plan_sends_safe_routes_and_says_why_it_leaves_others_out():
    spec = RoutesSpec(
        path_params={"user_id": "0"},
        ignore=["/docs*", "GET /api/admin/*"],
        allow_5xx=["/api/broken"],
    )
    plan = reconnect_plan(ROUTES, spec, "/api/health")
    assert plan.paths == ["/api/users", "/api/users/0", "/api/health"]  # health once, POST never
    assert plan.left_out == {
        "GET /api/items/{item_id}": "a path parameter path_params does not fill",
        "GET /api/admin/stats": "ignore",
        "GET /api/broken": "allow_5xx",
        "GET /docs": "ignore",
    }


def test_an_ignored_health_route_is_not_sent():
    plan = reconnect_plan([], RoutesSpec(ignore=["/healthz"]), "/healthz")
    assert plan.paths == [] and plan.left_out == {"GET /healthz": "ignore"}


def _client(errors: list[Exception]) -> tuple[HttpClient, list[str]]:
    """Each request first meets the next of ``errors``, then answers 200."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if errors:
            raise errors.pop(0)
        return httpx.Response(200)

    return HttpClient("http://127.0.0.1:9", transport=httpx.MockTransport(handler), retries=0), seen


def test_a_reset_connection_is_retried_once_on_a_new_connection():
    http, seen = _client([httpx.ReadError("Connection reset by peer")])
    answer = send(http, "/api/users", {})
    assert (answer.status, answer.retried, answer.bad) == (200, True, False)
    assert seen == ["/api/users", "/api/users"]


def test_a_second_reset_is_no_answer_not_a_crash():
    http, _ = _client([httpx.ReadError("reset"), httpx.RemoteProtocolError("closed")])
    answer = send(http, "/api/users", {})
    assert answer.bad and answer.retried and str(answer).startswith("no answer (")


def test_a_timeout_is_not_resent():
    http, seen = _client([httpx.ReadTimeout("slow")])
    answer = send(http, "/api/users", {})
    assert answer.bad and not answer.retried and seen == ["/api/users"]


def test_a_5xx_is_an_answer_not_retried():
    http = HttpClient(
        "http://127.0.0.1:9", transport=httpx.MockTransport(lambda r: httpx.Response(503))
    )
    answer = send(http, "/api/users", {})
    assert (answer.status, answer.retried, answer.bad, str(answer)) == (
        503,
        False,
        True,
        "HTTP 503",
    )


def test_session_activity_is_a_new_session_or_a_moved_query_start():
    before = Sessions({1: ("b1", "q1", "idle")})
    assert not Sessions({1: ("b1", "q1", "idle")}).activity_since(before)
    assert Sessions({1: ("b1", "q2", "idle")}).activity_since(before)
    assert Sessions({1: ("b1", "q1", "idle"), 2: ("b2", "q3", "idle")}).activity_since(before)
    assert not Sessions({}).activity_since(before)  # a session that closed did nothing here
    assert Sessions({1: ("b1", None, None)}).hidden and not before.hidden


SOURCES = {
    "app/db.py": """\
        from sqlalchemy.ext.asyncio import create_async_engine
        import sqlalchemy as sa

        engine = create_async_engine(URL, echo=False)
        other = sa.create_engine(URL, pool_pre_ping=settings.PING)
        """,
    "app/core.py": """\
        from sqlmodel import create_engine
        engine = create_engine(URL, pool_pre_ping=True)
        def create_engine_for(url):  # the app's own helper of the same name is not SQLAlchemy's
            return make(url)
        """,
    "app/config.py": """\
        class Config:
            SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 300}
        def factory(app):
            app.config.update(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
            return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}}
        """,
    "alembic/env.py": "from sqlalchemy import create_engine\nengine = create_engine(URL)\n",
    "app/nullpool.py": (
        "from sqlalchemy import create_engine, pool\ne = create_engine(URL, poolclass=pool.NullPool)\n"
    ),
    ".venv/lib/sqlalchemy/engine.py": "from sqlalchemy import create_engine\ncreate_engine(URL)\n",
    "app/broken.py": "def (:\n",
}


def test_engine_sites_are_read_from_the_apps_own_source(tmp_path):
    for name, text in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    found = [(s.where, s.setting, s.pre_ping) for s in engine_sites(tmp_path)]
    assert found == [
        ("app/config.py:2", "SQLALCHEMY_ENGINE_OPTIONS", None),
        ("app/config.py:4", "SQLALCHEMY_ENGINE_OPTIONS", "False"),
        ("app/config.py:5", "SQLALCHEMY_ENGINE_OPTIONS", "True"),
        ("app/core.py:2", "create_engine(...)", "True"),
        ("app/db.py:4", "create_async_engine(...)", None),
        ("app/db.py:5", "create_engine(...)", "settings.PING"),
    ]


@pytest.mark.parametrize(
    ("sites", "remedy"),
    [
        ([], msg(REMEDY_ID)),
        ([EngineSite("app/db.py", 12, "create_async_engine(...)", None)],
         "add pool_pre_ping=True (and pool_recycle) to create_async_engine(...) in app/db.py:12"),
        ([EngineSite("app/a.py", 1, "create_engine(...)", "True"), EngineSite("cfg.py", 9, "SQLALCHEMY_ENGINE_OPTIONS", None)],
         'add "pool_pre_ping": True to SQLALCHEMY_ENGINE_OPTIONS in cfg.py:9'),
        ([EngineSite("app/db.py", 78, "create_async_engine(...)", "pre_ping")],
         "create_async_engine(...) in app/db.py:78 passes pool_pre_ping=pre_ping: make it True where the app runs (and set pool_recycle)"),
        ([EngineSite("app/db.py", 3, "create_engine(...)", "True")],
         "create_engine(...) in app/db.py:3 already sets pool_pre_ping=True: the failing requests use a connection outside that pool; catch the disconnect and retry once"),
    ],
)  # fmt: skip
def test_the_remedy_names_the_engine_line(sites, remedy):
    made = engine_remedy(sites)
    assert made == remedy
    assert isinstance(made, Message) and not re.search(r"[a-z]+ [a-z]+ [a-z]+ [a-z]+", made.render("ja"))


EMITTED = [
    "all 9 route(s) that read the database answered without 5xx after 2 database session(s) of the app were terminated",
    "2 route(s) answered 5xx right after the app's database connections were cut: GET /a: HTTP 503, GET /b: no answer (connection reset)",
    "not run: no safe GET route to send: 3 left out (ignore, allow_5xx or a path parameter path_params does not fill)",
    "not run: whether a route reads the database cannot be seen: the app's sessions are hidden from the harness's database role (grant it pg_read_all_stats) or track_activities is off",
    "not run: no route reads the database and answered without 5xx before the cut (of 3 sent, 2 caused no database activity, 1 answered 5xx or nothing), so cutting sessions would prove nothing",
    "not run: no idle database session of the app was there to cut after 4 route(s) read the database (a pool that keeps no connection, such as NullPool, or another database than the target's)",
]  # fmt: skip


@pytest.mark.parametrize("text", EMITTED)
def test_every_message_has_a_japanese_text(text):
    assert translated("db-reconnect", text), text
    ja = translate("db-reconnect", text, "ja")
    assert ja and ja != text and "本番" not in ja
    assert "no answer" not in ja
