"""scripts/corpus.py: the corpus list parses, a run's report becomes a verdict and a table
row, mirrors are found in every documented layout, and the apps run without the caller's venv."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import corpus  # noqa: E402 (from scripts/, put on sys.path above)
from corpus_checkout import StepFailed, find_mirror  # noqa: E402
from corpus_report import markdown, read_report  # noqa: E402


def test_every_corpus_entry_names_a_commit_an_install_method_and_a_shape():
    apps = tomllib.loads((SCRIPTS / "corpus.toml").read_text())["app"]
    assert len({app["repository"] for app in apps}) >= 8
    for app in apps:
        assert len(app["commit"]) == 40 and app["kind"] and app["shape"], app["name"]
        assert app["install"].split(":")[0] in ("pip", "uv", "poetry"), app["name"]
        assert all(edit["run"] and edit["why"] for edit in app.get("edits", [])), app["name"]


def _report(folder: Path, items: list[dict]) -> None:
    run = folder / "reports" / "20260101T000000Z-local"
    run.mkdir(parents=True)
    (run / "checklist.json").write_text(json.dumps({"items": items, "summary": {"done": 1}}))


def test_a_report_becomes_item_statuses_a_verdict_and_the_reason_of_each_non_pass(tmp_path):
    _report(
        tmp_path,
        [
            {
                "id": "health",
                "status": "fail",
                "reason": None,
                "remediation": ["set the path\nmore"],
            },
            {"id": "routes", "status": "pass"},
            {"id": "pgvector", "status": "na", "reason": "n/a: no vector extension"},
            {"id": "docs-updated", "status": "not_run", "manual": True},
        ],
    )
    result = read_report(tmp_path)
    assert result["items"] == {"health": "fail", "routes": "pass", "pgvector": "na"}
    assert result["verdict"] == "1 fail, 1 na, 1 pass (health)"
    assert result["reasons"] == {"health": "set the path", "pgvector": "n/a: no vector extension"}


def test_no_report_and_a_failed_setup_step_still_make_one_table_row_each(tmp_path):
    assert read_report(tmp_path)["verdict"] == "no report"
    row = {"app": "a", "repository": "o/a", "commit": "0" * 40, "edits": 0, "seconds": 3.0}
    table = markdown(
        {"a": {**row, "verdict": "install: `pip install -r`\nfailed | x", "exit": None}}
    )
    line = table.splitlines()[2]
    assert line.count("|") == 10 and "failed / x" in line and "| – |" in line


@pytest.mark.parametrize("layout", ["owner+name/repo", "owner+name", "name"])
def test_a_mirror_is_found_in_each_documented_layout(tmp_path, layout):
    (tmp_path / layout).mkdir(parents=True)
    assert find_mirror(tmp_path, "owner/name") == tmp_path / layout


def test_a_missing_mirror_is_a_failed_step_naming_the_repository(tmp_path):
    with pytest.raises(StepFailed, match="no mirror of owner/name"):
        find_mirror(tmp_path, "owner/name")


def test_the_apps_run_without_the_callers_venv(tmp_path, monkeypatch):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.setenv("PATH", f"{venv / 'bin'}:/usr/bin")
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x")
    env = corpus.clean_env(tmp_path / "tools")
    assert env["PATH"] == f"{tmp_path / 'tools'}:/usr/bin"
    assert "VIRTUAL_ENV" not in env and "PYTEST_ADDOPTS" not in env
