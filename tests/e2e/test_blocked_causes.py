"""A blocked item says why (issue 26, point 3): each cause made by a real fault.

A connection reset after the app had answered (a TCP relay that resets the OpenAPI request),
a service that accepts and never answers (timeout), a port nothing listens on (unreachable),
the database going down under a check on the local stack (restarting). The deploy that never
goes live is in test_deploy_wait. Each run's report is rendered in English and Japanese and
must name the cause, never the one "could not reach the target" it used to say for all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from proxy import TcpRelay
from support import EXIT_BLOCKED, REPO, start_reference_stack

from harness.stack.postgres import free_port

pytestmark = pytest.mark.stack

STOP_DB_DURING = """
import os, subprocess
from pathlib import Path

import pytest

from harness.stack.postgres import find_bindir


def _pg_ctl(*args):
    root = next(r for r in Path(os.environ["TMPDIR"]).glob("hv-pg-*")
                if (r / "owner.pid").read_text() == str(os.getpid()))
    user = "hvpg" if os.geteuid() == 0 else None
    subprocess.run([str(find_bindir() / "pg_ctl"), "-D", str(root / "data"), "-l",
                    str(root / "postgres.log"), "-m", "fast", "-w", "-t", "60", *args],
                   user=user, check=True, capture_output=True, cwd=root)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    if "script_head" in item.nodeid:
        _pg_ctl("stop")  # down for the whole check, up again for the next one


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    if "script_head" in item.nodeid:
        _pg_ctl("restart")  # with the options it was started with (its port)
"""


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """One healthy reference app on the embedded stack, behind the relays."""
    stack, addresses = start_reference_stack()
    try:
        yield addresses.base_url
    finally:
        stack.stop()


def remote(project, base_url: str, wait_s: float) -> None:
    routes = tomllib.loads((REPO / "targets.toml").read_text())["targets"]["local"]["routes"]
    project.set_targets({"targets": {"relay": {
        "kind": "remote", "base_url": base_url, "allow_writes": False, "routes": routes,
        "health": {"wait_timeout_s": wait_s}}}})  # fmt: skip


def reports(project) -> tuple[dict, str, str]:
    """checklist.json, checklist.md in English, then the same folder rendered in Japanese."""
    folder = project.report_dirs()[-1]
    data = json.loads((folder / "checklist.json").read_text(encoding="utf-8"))
    md_en = (folder / "checklist.md").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "harness", "report", str(folder), "--lang", "ja"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return data, md_en, (folder / "checklist.md").read_text(encoding="utf-8")


def assert_labelled(project, item: str, cause: str, en: str, ja: str) -> dict:
    data, md_en, md_ja = reports(project)
    entry = next(i for i in data["items"] if i["id"] == item)
    assert (entry["status"], entry["cause"]) == ("blocked", cause), entry
    assert f"blocked ({en})" in md_en and f"{item} (blocked: {en})" in md_en
    assert f"ブロック（{ja}）" in md_ja and f"{item} (ブロック: {ja})" in md_ja
    if cause != "unreachable":
        assert "could not be reached" not in md_en and "対象に到達できません" not in md_ja
    return data


def test_a_connection_reset_after_the_app_answered_says_reset(project, upstream):
    address = urlsplit(upstream)
    relay = TcpRelay((address.hostname, address.port), reset=("/openapi.json",))
    try:
        remote(project, relay.url, 5.0)
        result = project.run("suites/test_health.py", "suites/test_routes.py", "--target=relay")
    finally:
        relay.close()
    assert relay.resets >= 1
    assert result.ret == EXIT_BLOCKED, result.stdout.str()[-3000:]
    data = assert_labelled(project, "routes", "connection_reset", "the connection was reset", "接続がリセットされました")
    assert {i["id"]: i["status"] for i in data["items"]}["health"] == "pass"  # it had just answered


def test_a_service_that_never_answers_says_timeout(project):
    relay = TcpRelay(("127.0.0.1", 9), silent=True)
    try:
        remote(project, relay.url, 1.0)
        result = project.run("suites/test_health.py", "--target=relay")
    finally:
        relay.close()
    assert result.ret == EXIT_BLOCKED
    assert_labelled(project, "health", "timeout", "no answer in time", "応答がタイムアウトしました")


def test_a_port_nothing_listens_on_says_unreachable(project):
    remote(project, f"http://127.0.0.1:{free_port()}", 0.5)
    result = project.run("suites/test_health.py", "--target=relay")
    assert result.ret == EXIT_BLOCKED
    assert_labelled(project, "health", "unreachable", "the target could not be reached", "対象に到達できません")


def test_the_database_going_down_under_a_check_says_restarting(project):
    project.add_hook(STOP_DB_DURING)
    result = project.run("suites/test_database.py", "-k", "script_head or pgvector_is_installed")
    assert result.ret == EXIT_BLOCKED, result.stdout.str()[-3000:]
    data = assert_labelled(project, "migration-head", "db_restarting", "the database was restarting", "データベースが再起動中でした")
    assert {i["id"]: i["status"] for i in data["items"]}["pgvector"] == "pass"  # up again after it
