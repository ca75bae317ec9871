"""The deploy wait end to end on the local stack: the reference app's health answer carries
its commit (``/version``, from APP_VERSION) and the Alembic revision it sees (``/revision``,
standing in for a release that never goes live). Expected and
served → the run judges as usual; a revision that never serves → every item blocked with
"still serves X, expected Y", exit 75, and the reason in results.json."""

from __future__ import annotations

import json

import pytest
from support import EXIT_BLOCKED

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"


def deploy(project, **keys) -> None:
    section = {"version_path": "/api/health", "version_pointer": "/revision", "timeout_s": 2, "interval_s": 0.2}
    project.set_targets({"targets": {"local": {"deploy": {**section, **keys}}}})


def test_the_expected_commit_serving_lets_the_run_judge(project):
    """The app reports its commit (APP_VERSION, as a deploy would set it); a short id matches."""
    sha = "3f9c2b7d1e0a4c5b6a7980f1e2d3c4b5a6978877"
    project.set_targets({"targets": {"local": {
        "deploy": {"version_path": "/api/health", "version_pointer": "/version", "expect": "${DEPLOYED_REVISION}"},
        "app": {"env": {"APP_VERSION": sha}}}}})  # fmt: skip
    result = project.run(SUITE, env={"DEPLOYED_REVISION": sha[:7]})
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines([f"*the target serves {sha} (expected {sha[:7]})*"])
    assert project.results()["environment"]["deploy"]["served"] == sha


def test_an_old_revision_still_serving_blocks_every_item(project):
    deploy(project, expect="0005")
    result = project.run(SUITE, "--deploy-expect=0006")
    assert result.ret == EXIT_BLOCKED
    result.stdout.fnmatch_lines(["*BLOCKED: staging still serves 0005, expected 0006*"])
    data = project.results()
    assert data["status"] == "blocked"
    assert data["blocked_reason"].startswith("staging still serves 0005, expected 0006")
    assert {t["outcome"] for t in data["tests"]} == {"blocked"}
    # The label says the deploy is not live, not that the target could not be reached.
    folder = project.report_dirs()[-1]
    items = json.loads((folder / "checklist.json").read_text())["items"]
    assert {i["cause"] for i in items if i["status"] == "blocked"} == {"deploy_not_live"}
    md = (folder / "checklist.md").read_text()
    assert "migration-head (blocked: the deploy is not live yet)" in md
    assert "blocked (the deploy is not live yet): staging still serves 0005, expected 0006" in md


def test_an_unset_expected_revision_is_a_usage_error(project):
    deploy(project, expect="${DEPLOYED_REVISION}")
    result = project.run(SUITE, env={"DEPLOYED_REVISION": ""})
    assert result.ret == 4
    assert "DEPLOYED_REVISION is not set" in result.stdout.str() + result.stderr.str()
