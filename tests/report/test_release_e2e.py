"""One end-to-end run on the real reference app stack (embedded PostgreSQL, uvicorn, HTTP):
two faults make two items fail, a waiver accepts one of them, three earlier nights give a
trend; the report is then re-rendered in Japanese."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import scenario
from support import REPO

pytestmark = pytest.mark.stack

WAIVER = """
[[waivers]]
item = "routes"
finding = "GET /api/debug/echo"
reason = "debug endpoint kept until the v2 client ships"
who = "Aiko Sato"
expires = 2099-12-31
"""


def seed_earlier_nights(root) -> None:
    """Three earlier runs of the same target (built as payloads: the stack runs once)."""
    from harness.report.build import build_checklist_report
    from harness.report.checklist import load_checklist

    checklist = load_checklist("phase1", REPO / "checklists")
    for n, day in enumerate(("01", "02", "03")):
        results = scenario.results(f"2026-01-{day}T18:17:00Z", scenario.earlier(n), 60.0, f"night-{n}")
        results["target"]["name"] = "local"
        folder = root / f"202601{day}T181700Z-local"
        folder.mkdir(parents=True)
        (folder / "checklist.json").write_text(json.dumps(build_checklist_report(results, checklist)), encoding="utf-8")


def test_two_failing_items_one_waived_three_earlier_runs(project):
    seed_earlier_nights(project.path / "reports")
    (project.path / "waivers.toml").write_text(WAIVER, encoding="utf-8")
    project.set_targets({"targets": {"local": {"report_tz": "Europe/Berlin"}}})  # the profile's report_tz
    suites = ["suites/test_health.py", "suites/test_routes.py", "suites/test_wallet_reward.py"]
    result = project.run(*suites, faults="extra_route,reward_twice", timeout=600)
    assert result.ret == 1, result.stdout.str()[-3000:]
    folder = project.report_dirs()[-1]
    data = json.loads((folder / "checklist.json").read_text(encoding="utf-8"))
    items = {i["id"]: i for i in data["items"]}
    assert items["routes"]["status"] == "fail" and items["routes"]["waived"] is True
    assert items["wallet-reward"]["status"] == "fail" and not items["wallet-reward"].get("waived")
    assert len(data["trend"]["points"]) == 4 and "wallet-reward" in data["trend"]["newly_failing"]

    md = (folder / "checklist.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith("**Blocks release: wallet-reward (fail)")
    assert "routes" not in md.splitlines()[2].split(":", 1)[1].split(", ")[0]
    assert "waived until 2099-12-31 by Aiko Sato: debug endpoint kept until the v2 client ships" in md
    assert "| GET | /api/debug/echo | — | served, not in the expected list |" in md
    assert re.search(r"^\| Started \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T \|$", md, re.MULTILINE)
    assert "balance_rise: 14 ≠ 7" in md and "| step | status | balance |" in md
    assert "| ledger rows of the task (database) | wrong | [-7, -7, 7, 7] ≠ [-7, 7] |" in md
    assert "| completing the task a second time | HTTP 200 | +28, 4 × credit ≠ 1 |" in md

    done = subprocess.run([sys.executable, "-m", "harness", "report", str(folder), "--lang", "ja",
                           "--waivers", str(project.path / "waivers.toml")],
                          cwd=project.path, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ja = (folder / "checklist.md").read_text(encoding="utf-8")
    assert ja.splitlines()[2].startswith("**リリースを妨げている項目: wallet-reward (不合格)")
    assert "2099-12-31 まで免除（Aiko Sato）" in ja and re.search(r" CES?T \|", ja)  # the profile's zone wins over JST
    assert "| メソッド | パス | 送信内容 | 応答 |" in ja and "| 報酬の付与（残高の増加） | 異常 | 14 ≠ 7 |" in ja
    assert "タスクを 2 回完了すると 4 回支払われました" in ja
