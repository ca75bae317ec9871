"""Point 2 of issue 26: a Japanese report of every fault run has no English sentence left.

The reports come from the fault tests themselves: run them with
``HARNESS_KEEP_CHECKLISTS=DIR`` (tests/support.py keeps each run's checklist.json there) and
this test with the same variable renders each one in Japanese. Without it, it renders the
kept set in tests/report/ja_runs/ (refresh: scripts/ja_runs.sh). Identifiers, SQL, paths,
commands, HTTP lines and the app's own quoted output may stay as they are
(tests/report/english.py says how a sentence is told apart).
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from english import english_sentences
from support import REPO

from harness.messages.core import drain, msg
from harness.report.build import build_checklist_report
from harness.report.checklist import load_checklist
from harness.report.i18n import summary_text
from harness.report.render import render_html, render_markdown

KEPT = Path(__file__).with_name("ja_runs")


def _runs() -> list[Path]:
    folder = os.environ.get("HARNESS_KEEP_CHECKLISTS")
    if folder:
        return sorted(Path(folder).glob("*.json"))
    return sorted(KEPT.glob("*.json.gz"))


def _load(path: Path) -> dict[str, Any]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


def english_left(payload: dict[str, Any]) -> list[str]:
    """English sentences in the Markdown page, the HTML page's text and the summary line."""
    page = re.sub(r"<style.*?</style>", "", render_html(payload, "ja"), flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    lines = [*render_markdown(payload, "ja").splitlines(), *text.splitlines(), summary_text(payload, "ja")]
    return [s for line in lines for s in english_sentences(_without_test_ids(line, payload))]


def _without_test_ids(line: str, payload: dict[str, Any]) -> str:
    """Test ids are identifiers (``harness: end of run: the login's account`` included)."""
    for item in payload.get("items", []):
        for test in item.get("tests", []):
            line = line.replace(str(test.get("nodeid")), " ")
    return line


def test_some_runs_are_there_to_read() -> None:
    assert _runs(), f"no fault run's checklist.json in {os.environ.get('HARNESS_KEEP_CHECKLISTS') or KEPT}"


@pytest.mark.parametrize("path", _runs(), ids=lambda p: p.name.split(".json")[0][-60:])
def test_the_japanese_report_of_a_fault_run_has_no_english_sentence(path: Path) -> None:
    left = list(dict.fromkeys(english_left(_load(path))))
    assert not left, f"{len(left)} English sentence(s) in the Japanese report:\n" + "\n".join(left[:40])


def _payload(reason: str, messages: dict[str, Any]) -> dict[str, Any]:
    """A checklist whose health item did not run, for ``reason``; ``messages`` as a run records them."""
    test = {"nodeid": "suites/test_health.py::t", "checklist": ["health"], "outcome": "skipped",
            "duration_s": 0.0, "message": reason, "checks": [], "messages": messages}  # fmt: skip
    checklist = load_checklist("phase1", REPO / "harness" / "checklists")
    return build_checklist_report({"target": {"name": "t", "kind": "local"}, "tests": [test]}, checklist)


def test_an_english_line_no_message_made_is_found() -> None:
    """The detector is not blind: a reason typed as English text fails the test; the same
    sentence made from its message id passes (it renders in Japanese)."""
    drain()
    made = msg("suite.no_base_url", name="'t'")
    known = drain()
    assert english_left(_payload(f"not run: {made}", {})), "an English reason must be found"
    assert not english_left(_payload(f"not run: {made}", known))
