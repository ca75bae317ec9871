"""``python -m harness compare OLD NEW [--lang ja] [--markdown]``: what changed between two runs.

Newly failing items come first, then failing for a new cause (fail → fail with another
summary), newly blocked (pass → blocked), no longer run, fixed, other changes. Everything
is printed in one language. ``--markdown`` prints the new run's blocking line and the
changes as Markdown for a CI job summary. Exit 1 when an item is newly failing or fails
for a new cause (a regression a nightly job can alert on), else 0.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.report.checklist import LANGS
from harness.report.compare import ALERTS, Change, compare
from harness.report.i18n import summary_text
from harness.report.present import blocking_line
from harness.report.store import load_payload

_TEXT = {
    "en": {"before": "before", "after": "after", "none": "no item changed", "changes": "Changes since the previous run"},
    "ja": {"before": "前回", "after": "今回", "none": "変化した項目はありません", "changes": "前回の実行からの変化"},
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("compare", help="list checklist items that changed between two runs")
    parser.add_argument("old", type=Path, help="the earlier report folder")
    parser.add_argument("new", type=Path, help="the later report folder")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.add_argument("--markdown", action="store_true", help="the blocking line and changes as Markdown (CI summary)")
    parser.add_argument("--lang", choices=LANGS, default=None, help="language of the output (default: the new run's)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    old, new = load_payload(args.old), load_payload(args.new)
    lang = args.lang or new.get("lang", "en")
    changes = compare(old, new)
    if args.json:
        print(json.dumps([c.__dict__ for c in changes], indent=2, ensure_ascii=False))
    elif args.markdown:
        print(markdown(old, new, changes, lang))
    else:
        words = _TEXT.get(lang, _TEXT["en"])
        print(f"{words['before']}: {summary_text(old, lang)}")
        print(f"{words['after']}:  {summary_text(new, lang)}")
        print(blocking_line(new, lang))
        known = {**(old.get("messages") or {}), **(new.get("messages") or {})}
        for change in changes:
            print(change.line(lang, known))
        if not changes:
            print(words["none"])
    return 1 if any(c.kind in ("newly failing", "cause changed") for c in changes) else 0


def markdown(old: dict[str, Any], new: dict[str, Any], changes: list[Change], lang: str) -> str:
    words = _TEXT.get(lang, _TEXT["en"])
    lines = [f"**{blocking_line(new, lang)}**", "", f"{summary_text(old, lang)} → {summary_text(new, lang)}", ""]
    lines += [f"### {words['changes']}", ""]
    for change in changes:
        mark = "⚠️ " if change.kind in ALERTS else ""
        lines.append(f"- {mark}`{change.line(lang, {**(old.get('messages') or {}), **(new.get('messages') or {})})}`")
    if not changes:
        lines.append(f"- {words['none']}")
    return "\n".join(lines)
