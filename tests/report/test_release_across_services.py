"""One release report over three services' runs: one failing service blocks the release,
every item is named with its service, both languages render, and sign-off needs an override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scenario import check, results
from scenario import test as a_test
from support import REPO

from harness.cli import main
from harness.report.build import build_checklist_report
from harness.report.checklist import load_checklist
from harness.report.files import write_checklist_files


def _service_run(root: Path, name: str, failing: bool) -> Path:
    checklist = load_checklist("phase1", REPO / "checklists")
    tests = [
        a_test("health", "passed", check("health", True, "/health answered 200 in 0.05s")),
        a_test("routes", "passed", check("routes", True, "all 13 expected routes are served")),
        a_test("migration-head", "failed" if failing else "passed", check(
            "migration-head", not failing,
            "the database is at 0004, behind the script head 0005: pending 0005" if failing
            else "the database is at the script head 0005",
            remediation="run the migrations (alembic upgrade head) as part of the deploy" if failing else None)),
    ]  # fmt: skip
    run = results("2026-12-01T18:00:00Z", tests, 60.0, f"run-{name}")
    run["target"]["name"] = name
    folder = root / f"20261201T180000Z-{name}"
    folder.mkdir(parents=True)
    tested = {t["checklist"][0] for t in tests}
    others = {i: "not part of this service" for i in checklist.ids if i not in tested}
    write_checklist_files(folder, build_checklist_report(run, checklist, not_applicable=others))
    return folder


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_one_failing_service_blocks_the_release_until_an_override(tmp_path, capsys, lang):
    runs = [_service_run(tmp_path / "in", name, name == "wallet") for name in ("api", "wallet", "search")]
    out = tmp_path / "out"
    assert main(["release", *map(str, runs), "--report-dir", str(out), "--lang", lang]) == 1
    (folder,) = out.iterdir()
    payload = json.loads((folder / "checklist.json").read_text())
    ids = [i["id"] for i in payload["items"]]
    assert "wallet/migration-head" in ids and "api/health" in ids and "search/routes" in ids
    assert payload["summary"]["required_not_passing"][:1] == ["wallet/migration-head"]
    assert [s["name"] for s in payload["services"]] == ["api", "wallet", "search"]
    md, html = (folder / "checklist.md").read_text(), (folder / "checklist.html").read_text()
    assert "wallet/migration-head" in md and "wallet/migration-head" in html
    if lang == "ja":
        assert "3 サービスのリリース" in md and "データベース" in md  # the item's own ja catalog
    else:
        assert "Release across 3 services: api, wallet, search" in md
    capsys.readouterr()
    assert main(["signoff", str(folder), "--by", "Aiko Sato"]) == 1  # refused: wallet fails
    assert "wallet/migration-head" in capsys.readouterr().err
    assert main(["signoff", str(folder), "--by", "Aiko Sato", "--override", "hotfix ships tonight"]) == 0
    signed = json.loads((folder / "checklist.json").read_text())["signoffs"]
    assert signed[0]["override"] == "hotfix ships tonight" and signed[0]["not_passing"]


def test_all_services_passing_is_releasable(tmp_path):
    runs = [_service_run(tmp_path / "in", name, False) for name in ("api", "search")]
    assert main(["release", *map(str, runs), "--report-dir", str(tmp_path / "out")]) == 0


def test_the_same_service_twice_is_refused(tmp_path, capsys):
    run = _service_run(tmp_path / "in", "api", False)
    assert main(["release", str(run), str(run), "--report-dir", str(tmp_path / "out")]) == 4
    assert "service 'api' is given twice" in capsys.readouterr().err


def test_the_matrix_workflow_passes_actionlint():
    from unit.test_nightly_workflow import lint

    workflow = REPO / ".github" / "workflows" / "release-services.yml"
    done = lint(workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "python -m harness release" in workflow.read_text()
