"""The checklist report of a run with mixed outcomes, in every format and both languages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from support import PLANTED_PASSWORD as PASSWORD
from support import REPO

EXPECTED = {
    "health": "pass", "routes": "pass", "pgvector": "fail", "migration-head": "blocked",
    "wallet-reward": "not_run", "routes-reachable": "not_run", "docs-updated": "not_run",
}  # fmt: skip
SUMMARY_EN = "Phase 1 demo: 2/16 items (12.5%)"
SUMMARY_JA = "フェーズ1 demo: 2/16 項目 (12.5%)"


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_mixed_outcomes_roll_up_into_items_and_exit_1(mixed_run):
    assert mixed_run.ret == 1, mixed_run.stdout
    statuses = mixed_run.statuses()
    assert {k: statuses[k] for k in EXPECTED} == EXPECTED
    data = mixed_run.checklist()
    assert data["summary"]["done"] == 2 and data["summary"]["total"] == 16
    assert data["summary"]["percent"] == 12.5
    assert data["summary"]["by_status"] == {"pass": 2, "fail": 1, "blocked": 1, "na": 1, "not_run": 12, "interrupted": 0}
    items = {item["id"]: item for item in data["items"]}
    assert items["pgvector"]["remediation"] == ["run CREATE EXTENSION vector; as the database owner"]
    assert items["pgvector"]["evidence"][0]["expected"] == {"extension": "vector >= 0.5.0"}
    assert "connection refused" in items["migration-head"]["reason"]
    assert items["wallet-reward"]["in_scope"] and not items["routes-reachable"]["in_scope"]
    assert len(items["routes"]["tests"]) == 2  # a skipped test beside a passing one: still pass
    assert data["facts"]["db_version"] == "16.4"  # contributed by a test via record_fact
    assert data["target"]["database_url"].startswith("postgresql+psycopg://app:***@")
    assert data["exit_status"] == 1
    assert {"results.json", "checklist.json", "checklist.md", "checklist.html", "junit.xml"} <= {
        p.name for p in mixed_run.folder.iterdir()
    }


def test_terminal_ends_with_the_summary_and_shows_the_report_path(mixed_run):
    lines = mixed_run.stdout.rstrip().splitlines()
    assert lines[-1] == SUMMARY_EN
    assert lines[-2] == f"harness: report: {mixed_run.folder / 'checklist.html'}"


def test_markdown_and_html_show_exact_counts_in_english(mixed_run):
    md = (mixed_run.folder / "checklist.md").read_text(encoding="utf-8")
    assert f"**{SUMMARY_EN}**" in md
    assert re.search(r"^\| ❌ \| \*\*pgvector\*\* .*\| fail \| yes \| 1 \|", md, re.MULTILINE)
    assert re.search(r"^\| ✅ \| \*\*routes\*\* .*\| pass \| yes \| 2 \|", md, re.MULTILINE)
    # The blocked label names the cause: the database, not "the target", could not be reached.
    assert re.search(r"^\| ⛔ \| \*\*migration-head\*\* .*\| blocked \(the database could not be reached\) \|", md, re.MULTILINE)
    assert re.search(r"^\| ⬜ \| \*\*wallet-reward\*\* .*\| not run \|", md, re.MULTILINE)
    assert "run CREATE EXTENSION vector; as the database owner" in md
    html = (mixed_run.folder / "checklist.html").read_text(encoding="utf-8")
    marked = re.sub(r'<svg class="mark" data-mark="(\w+)".*?</svg>', r"[\1]", html)  # drawn marks, no emoji
    assert SUMMARY_EN in html and "[pass] pass: 2" in marked and "[fail] fail: 1" in marked
    assert "[blocked] blocked: 1" in marked and "[not_run] not run: 12" in marked
    junit = (mixed_run.folder / "junit.xml").read_text(encoding="utf-8")
    assert 'failures="1"' in junit and "test_pgvector_missing" in junit


def test_report_command_rerenders_in_japanese(mixed_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(mixed_run.folder, folder)
    done = cli("report", str(folder), "--lang", "ja")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == SUMMARY_JA
    md = (folder / "checklist.md").read_text(encoding="utf-8")
    assert f"**{SUMMARY_JA}**" in md
    assert re.search(r"^\| ❌ \| \*\*pgvector\*\* pgvector 拡張が最低バージョン以上でインストール済み \| 不合格 \| はい \|", md, re.MULTILINE)
    assert re.search(r"^\| ⛔ \| \*\*migration-head\*\* .*\| ブロック（データベースに接続できません） \|", md, re.MULTILINE)
    assert "ブロック（データベースに接続できません）: database postgresql://app:***@127.0.0.1:9/app" in md
    assert "対象に到達できません" not in md
    assert re.search(r"^\| ⬜ \| \*\*docs-updated\*\* ドキュメント更新 .*\| 未実施 \| はい \(手動\) \|", md, re.MULTILINE)
    html = (folder / "checklist.html").read_text(encoding="utf-8")
    marked = re.sub(r'<svg class="mark" data-mark="(\w+)".*?</svg>', r"[\1]", html)
    assert SUMMARY_JA in html and "[pass] 合格: 2" in marked and "[blocked] ブロック: 1" in marked and '<html lang="ja">' in html
    assert json.loads((folder / "checklist.json").read_text(encoding="utf-8"))["lang"] == "ja"


def test_report_command_rolls_up_a_results_json_alone(mixed_run, tmp_path):
    (tmp_path / "run").mkdir()
    shutil.copy(mixed_run.folder / "results.json", tmp_path / "run" / "results.json")
    done = cli("report", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == SUMMARY_EN
    assert (tmp_path / "run" / "checklist.html").is_file()


def test_report_command_on_a_missing_folder_is_one_line_exit_4(tmp_path):
    done = cli("report", str(tmp_path / "nope"))
    assert done.returncode == 4
    assert done.stderr.strip() == f"error: {tmp_path / 'nope'} is not a report folder. Hint: pass reports/<run>/ (or its checklist.json)"


def test_run_in_japanese_ends_with_the_japanese_summary(demo_factory):
    run = demo_factory().run("suites/test_mixed.py", "--target=demo", "--report-lang=ja")
    assert run.stdout.rstrip().splitlines()[-1] == SUMMARY_JA
    assert f"**{SUMMARY_JA}**" in (run.folder / "checklist.md").read_text(encoding="utf-8")


def test_html_is_self_contained(mixed_run):
    html = (mixed_run.folder / "checklist.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_no_secret_in_any_report_or_allure_file(mixed_run):
    assert PASSWORD not in mixed_run.stdout + mixed_run.stderr
    allure_dir = mixed_run.path / "allure-results"
    files = [p for d in (mixed_run.folder, allure_dir) for p in d.rglob("*") if p.is_file()]
    assert len(files) > 6
    leaked = [p for p in files if PASSWORD.encode() in p.read_bytes()]
    assert leaked == []
    # ... and the careless print did reach the attachments, masked.
    assert any(b"app:***@127.0.0.1:9/app" in p.read_bytes() for p in allure_dir.glob("*-attachment*"))


@pytest.mark.parametrize(
    ("suite", "expected_exit", "last_line"),
    [
        ("test_all_pass.py", 0, "Phase 1 demo: 1/16 items (6.2%)"),
        ("test_all_blocked.py", 75, "Phase 1 demo: 0/16 items (0.0%)"),
        # Exit 1 with nothing failing: the last line says why (issue 25.6).
        ("test_not_run.py", 1, ("Phase 1 demo: 0/16 items (0.0%) — exit 1 only because required items "
         "were not run: pgvector (see each item's reason)")),
    ],
)
def test_exit_code_follows_the_required_items(demo_factory, suite, expected_exit, last_line):
    run = demo_factory().run(f"suites/{suite}", "--target=demo")
    assert run.ret == expected_exit, run.stdout + run.stderr
    assert run.stdout.rstrip().splitlines()[-1] == last_line
    assert run.checklist()["exit_status"] == expected_exit


def test_unknown_checklist_id_is_a_usage_error_naming_it(demo_factory):
    run = demo_factory().run("suites/test_unknown_item.py", "--target=demo")
    assert run.ret == 4
    assert "unknown checklist item 'no-such-item' in suites/test_unknown_item.py::test_marked_with_a_typo" in run.stderr
    assert "use one of: health, routes, routes-reachable, pgvector," in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_profile_naming_an_unknown_checklist_is_a_usage_error(demo_factory):
    run = demo_factory().run("suites/test_all_pass.py", "--target=odd")
    assert run.ret == 4
    assert "checklist 'phase9' not found" in run.stderr and "one of: phase1" in run.stderr
    assert run.statuses()["health"] == "blocked"  # the report still says why nothing ran


def test_unknown_checklist_id_under_xdist_is_exit_4_too(demo_factory):
    pytest.importorskip("xdist")
    run = demo_factory().run("suites/test_unknown_item.py", "--target=demo", "-n", "2")
    assert run.ret == 4, run.stdout + run.stderr
    assert "unknown checklist item 'no-such-item' in suites/test_unknown_item.py::test_marked_with_a_typo" in run.stdout
    assert "INTERNALERROR" not in run.stdout + run.stderr


def test_mixed_run_under_xdist_rolls_up_the_same(demo_factory):
    pytest.importorskip("xdist")
    run = demo_factory().run("suites/test_mixed.py", "--target=demo", "-n", "2")
    assert run.ret == 1
    assert run.stdout.rstrip().splitlines()[-1] == SUMMARY_EN
    assert {k: run.statuses()[k] for k in EXPECTED} == EXPECTED
    assert run.checklist()["facts"]["db_version"] == "16.4"  # recorded on a worker
    assert PASSWORD not in run.stdout + run.stderr


def test_unknown_target_still_writes_a_blocked_checklist(demo_factory):
    run = demo_factory().run("suites/test_all_pass.py", "--target=nope")
    assert run.ret == 4
    assert "unknown target 'nope'" in run.stderr and "Traceback" not in run.stderr
    assert set(run.statuses().values()) == {"blocked", "not_run"}  # manual items wait for sign-off
    assert "unknown target 'nope'" in unescape((run.folder / "checklist.html").read_text(encoding="utf-8"))
