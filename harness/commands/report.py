"""``python -m harness report DIR [--lang ja] [--report-tz ZONE] [--waivers FILE]``: re-render.

Reads ``DIR/checklist.json`` (or rolls ``DIR/results.json`` up when it is missing), applies
today's waivers (``waivers.toml`` when it exists: one added or expired since the run counts
now) and writes ``checklist.json``, ``checklist.md`` and ``checklist.html`` again.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.report.build import refresh_summary
from harness.report.checklist import DEFAULT_CHECKLISTS_DIR, LANGS
from harness.report.files import write_checklist_files
from harness.report.i18n import summary_text
from harness.report.results import utc_now
from harness.report.store import load_payload, report_folder
from harness.report.waivers import DEFAULT_WAIVERS_FILE, apply_waivers, load_waivers


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="re-render checklist.md/.html from a run's checklist.json")
    parser.add_argument("dir", type=Path, help="a report folder, reports/<UTC timestamp>-<target>/")
    add_render_options(parser)
    parser.set_defaults(run=run)


def add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=None, help="titles and labels (default: the run's)")
    parser.add_argument("--checklists", type=Path, default=Path(DEFAULT_CHECKLISTS_DIR),
                        help="where checklists live, to roll up a results.json")  # fmt: skip
    parser.add_argument("--report-tz", default=None, help="time zone of the shown times (default: the run's)")
    parser.add_argument("--waivers", type=Path, default=Path(DEFAULT_WAIVERS_FILE),
                        help="waivers.toml to apply today (skipped when the default file is absent)")  # fmt: skip


def refresh(payload: dict[str, Any], args: argparse.Namespace) -> None:
    """The render options into the payload: language, time zone, today's waivers."""
    if args.lang:
        payload["lang"] = args.lang
    if args.report_tz:
        payload["report_tz"] = args.report_tz
    if payload.get("kind") == "release":  # each service's run applied its own waivers
        return
    if args.waivers.is_file() or args.waivers != Path(DEFAULT_WAIVERS_FILE):
        apply_waivers(payload, load_waivers(args.waivers), utc_now().date())
        refresh_summary(payload)


def run(args: argparse.Namespace) -> int:
    folder = report_folder(args.dir)
    payload = load_payload(folder, checklists_dir=args.checklists, lang=args.lang)
    refresh(payload, args)
    write_checklist_files(folder, payload)
    print(f"wrote {folder / 'checklist.md'} and {folder / 'checklist.html'}")
    print(summary_text(payload))
    return 0
