"""Sign-off refuses a failing required item, records an override; compare lists changes."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.compare import compare


@pytest.fixture
def folder(mixed_run, tmp_path) -> Path:
    copied = tmp_path / "run"
    shutil.copytree(mixed_run.folder, copied)
    return copied


def read(folder: Path) -> dict:
    return json.loads((folder / "checklist.json").read_text(encoding="utf-8"))


def test_signoff_refuses_a_failing_required_item_and_writes_nothing(folder, capsys):
    before = (folder / "checklist.json").read_bytes()
    assert main(["signoff", str(folder), "--by", "Aiko Sato", "--manual", "docs-updated=done"]) == 1
    err = capsys.readouterr().err
    assert "signoff refused: required items not passing: pgvector (fail), migration-head (blocked)" in err
    assert "--override REASON" in err
    assert (folder / "checklist.json").read_bytes() == before


def test_signoff_with_override_records_who_when_and_why(folder, capsys):
    reason = "pgvector is enabled by the DBA tonight; ticket OPS-42"
    assert main(["signoff", str(folder), "--by", "Aiko Sato", "--manual", "docs-updated=done",
                 "--override", reason]) == 0  # fmt: skip
    data = read(folder)
    (signoff,) = data["signoffs"]
    assert signoff["by"] == "Aiko Sato" and signoff["override"] == reason
    assert signoff["manual"] == {"docs-updated": "done"} and signoff["at"].endswith("Z")
    assert "pgvector (fail)" in signoff["not_passing"]
    assert {i["id"]: i["status"] for i in data["items"]}["docs-updated"] == "pass"
    assert data["summary"]["done"] == 3 and data["summary"]["percent"] == 18.8
    assert capsys.readouterr().out.strip() == (
        f"signed off by Aiko Sato (override: {reason}): Phase 1 demo: 3/16 items (18.8%)"
    )
    md = (folder / "checklist.md").read_text(encoding="utf-8")
    assert f"approved by Aiko Sato (Override reason: {reason}); manual ticks: docs-updated=done" in md
    assert "Aiko Sato" in (folder / "checklist.html").read_text(encoding="utf-8")


def test_signoff_passes_without_override_when_everything_required_passes(folder):
    data = read(folder)
    for item in data["items"]:
        if not item["manual"]:
            item["status"] = "pass"
    (folder / "checklist.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["signoff", str(folder), "--by", "Ken", "--manual", "docs-updated=done"]) == 0
    assert read(folder)["signoffs"][0]["override"] is None
    assert read(folder)["summary"]["done"] == 16  # release-notes (optional, manual) unticked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--manual", "health=done"], "--manual health: not a manual item of this checklist. Hint: manual items: docs-updated, release-notes"),
        (["--manual", "docs-updated=yes"], "expected ITEM=done or ITEM=not-done"),
        (["--override", " "], "--override needs a reason."),
    ],
)
def test_signoff_bad_input_is_one_line_exit_4(folder, capsys, args, message):
    assert main(["signoff", str(folder), "--by", "Aiko", *args]) == 4
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def _with(payload: dict, **statuses: str) -> dict:
    changed = copy.deepcopy(payload)
    for item in changed["items"]:
        item["status"] = statuses.get(item["id"].replace("-", "_"), item["status"])
    return changed


def test_compare_lists_newly_failing_first(folder):
    old = read(folder)
    new = _with(old, health="fail", pgvector="pass", routes="blocked", wallet_reward="fail", cleanup="pass")
    kinds = [(c.kind, c.item) for c in compare(old, new)]
    assert kinds == [
        ("newly failing", "health"), ("newly failing", "wallet-reward"),
        ("newly blocked", "routes"), ("fixed", "pgvector"), ("fixed", "cleanup"),
    ]  # fmt: skip


def test_compare_command_exit_1_on_a_regression(folder, tmp_path, capsys):
    newer = tmp_path / "newer"
    shutil.copytree(folder, newer)
    (newer / "checklist.json").write_text(json.dumps(_with(read(folder), health="fail", pgvector="pass")))
    assert main(["compare", str(folder), str(newer)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "before: Phase 1 demo: 2/16 items (12.5%)"
    assert out[2].startswith("Blocks release: health (fail), ")  # the new run's blocking line
    assert out[3].split() == ["newly", "failing", "health", "pass", "→", "fail"]
    assert out[4].split() == ["fixed", "pgvector", "fail", "→", "pass"]
    assert main(["compare", str(newer), str(newer)]) == 0
    assert "no item changed" in capsys.readouterr().out
