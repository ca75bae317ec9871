"""``python -m harness report DIR [--lang ja]``: re-render a run's checklist report.

Reads ``DIR/checklist.json`` (or rolls ``DIR/results.json`` up when it is missing) and
writes ``checklist.json``, ``checklist.md`` and ``checklist.html`` again.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.report.checklist import DEFAULT_CHECKLISTS_DIR, LANGS
from harness.report.files import write_checklist_files
from harness.report.i18n import summary_text
from harness.report.store import load_payload, report_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="re-render checklist.md/.html from a run's checklist.json")
    parser.add_argument("dir", type=Path, help="a report folder, reports/<UTC timestamp>-<target>/")
    add_render_options(parser)
    parser.set_defaults(run=run)


def add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=None, help="titles and labels (default: the run's)")
    parser.add_argument("--checklists", type=Path, default=Path(DEFAULT_CHECKLISTS_DIR),
                        help="where checklists live, to roll up a results.json")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    folder = report_folder(args.dir)
    payload = load_payload(folder, checklists_dir=args.checklists, lang=args.lang)
    if args.lang:
        payload["lang"] = args.lang
    write_checklist_files(folder, payload)
    print(f"wrote {folder / 'checklist.md'} and {folder / 'checklist.html'}")
    print(summary_text(payload))
    return 0
