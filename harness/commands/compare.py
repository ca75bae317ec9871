"""``python -m harness compare OLD NEW``: the items that changed between two runs.

Newly failing items come first, then newly blocked, no longer run, fixed, other changes.
Exit 1 when an item is newly failing (a regression a nightly job can alert on), else 0.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.report.compare import compare
from harness.report.i18n import summary_text
from harness.report.store import load_payload


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("compare", help="list checklist items that changed between two runs")
    parser.add_argument("old", type=Path, help="the earlier report folder")
    parser.add_argument("new", type=Path, help="the later report folder")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    old, new = load_payload(args.old), load_payload(args.new)
    changes = compare(old, new)
    if args.json:
        print(json.dumps([c.__dict__ for c in changes], indent=2, ensure_ascii=False))
    else:
        print(f"before: {summary_text(old)}")
        print(f"after:  {summary_text(new)}")
        for change in changes:
            print(change.line())
        if not changes:
            print("no item changed")
    return 1 if any(c.kind == "newly failing" for c in changes) else 0
