"""The report's list of what the harness wrote, in English and Japanese."""

from __future__ import annotations

import re

import pytest
import scenario
from support import REPO

from harness.report.build import build_checklist_report
from harness.report.checklist import load_checklist
from harness.report.messages import translate, translated
from harness.report.render import render_html, render_markdown

DB = "127.0.0.1:5432/app"
RUN = "r20261123t181700ab12l"
# One of each kind the harness records (harness.transport.writes.record call sites).
WRITES = [
    {"action": "create schema", "object": f"hv_{RUN}_main", "database": DB, "by": "suites/test_database.py::test_pgvector_works_in_a_throwaway_schema"},
    {"action": "create and drop table", "object": f"hv_{RUN}_main.hv_vectors", "database": DB, "purpose": "pgvector-usable", "by": "t::a"},
    {"action": "create database", "object": f"hv_{RUN}_main_1796289445_replay", "database": DB, "by": "t::b"},
    {"action": "copy database", "object": f"app → hv_{RUN}_main_1796289445_rehearsal", "database": DB, "method": "template", "purpose": "migration-rehearsal", "by": "t::c"},
    {"action": "drop database", "object": f"hv_{RUN}_main_1796289445_rehearsal", "database": DB, "purpose": "migration-rehearsal", "by": "t::c"},
    {"action": "terminate sessions", "object": "the app's idle sessions", "database": DB, "count": 2, "purpose": "db-reconnect", "by": "t::d"},
    {"action": "delete rows", "object": "users", "database": DB, "count": 1, "tag": f"hv-{RUN}-main-*", "purpose": "cleanup", "by": "t::e"},
    {"action": "restore balance", "object": "wallet.wallets", "database": DB, "count": 1, "tag": f"hv-{RUN}-main-*", "purpose": "cleanup", "by": "t::e"},
    {"action": "drop schema", "object": "hv_r20261123t100000cd34l_main", "database": DB, "purpose": "janitor: its run is dead", "by": "janitor at session start"},
    {"action": "drop schema", "object": "hv_rold_main", "database": DB, "purpose": "janitor: older than 21600s", "by": "janitor at session start"},
    {"action": "drop database", "object": f"hv_{RUN}_gw1_1796289445_replay", "database": DB, "purpose": "left by this run", "by": "session finish"},
]  # fmt: skip
WORDS = sorted({w[key] for w in WRITES for key in ("action", "purpose", "by") if key in w and "::" not in w[key]
                and w[key] not in ("pgvector-usable", "migration-rehearsal", "db-reconnect")} | {"the app's idle sessions"})  # fmt: skip


@pytest.fixture
def payload() -> dict:
    results = {"run_id": RUN, "environment": {"writes": WRITES}, "tests": [], "target": {"name": "staging"}}
    built = build_checklist_report(results, load_checklist("phase1", REPO / "checklists"))
    return {**scenario.build(), "writes": built["writes"]}


def test_checklist_json_carries_the_writes_of_results_json(payload):
    assert payload["writes"] == WRITES


def test_markdown_and_html_list_every_write(payload):
    md, html = render_markdown(payload, "en"), render_html(payload, "en")
    assert "## Writes to the database" in md and "read-only at the server" in md
    assert f"- drop schema hv_r20261123t100000cd34l_main — {DB} (janitor: its run is dead; janitor at session start)" in md
    assert f"- terminate sessions the app's idle sessions ×2 — {DB} (db-reconnect; d)" in md
    assert len(re.findall(r"^- ", md.split("## Writes to the database")[1].split("\n## ")[0], re.MULTILINE)) == len(WRITES)
    assert html.count("<li>") >= len(WRITES) and 'id="writes"' in html


def test_japanese_report_lists_them_in_japanese(payload):
    md = render_markdown(payload, "ja")
    assert "## データベースへの書き込み" in md
    assert f"- スキーマを削除 hv_r20261123t100000cd34l_main — {DB} (janitor: 所有する実行が終了しています; 開始時の janitor)" in md


@pytest.mark.parametrize("text", WORDS)
def test_every_action_and_purpose_has_a_japanese_text(text):
    assert translated("writes", text), text
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", translate("writes", text, "ja") or "")


def test_a_report_without_writes_has_no_such_section():
    payload = scenario.build()
    payload.pop("writes", None)  # a checklist.json from before the list existed
    assert "Writes to the database" not in render_markdown(payload, "en")
    assert "データベースへの書き込み" not in render_html(payload, "ja")
