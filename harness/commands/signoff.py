"""``python -m harness signoff DIR --by NAME [--manual ITEM=done ...] [--override REASON]``.

Records who approved the release and when in ``DIR/checklist.json`` and re-renders the
report. Refused (exit 1, nothing written) while a required item is not passing, unless
``--override`` gives a reason, which is recorded with the approval.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.commands.report import add_render_options, refresh
from harness.messages.core import msg
from harness.report.files import write_checklist_files
from harness.report.i18n import summary_text
from harness.report.signoff import parse_ticks, sign
from harness.report.store import load_payload, report_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("signoff", help="approve a run's checklist (tick manual items)")
    parser.add_argument("dir", type=Path, help="a report folder, reports/<UTC timestamp>-<target>/")
    parser.add_argument("--by", required=True, help="who approves")
    parser.add_argument("--manual", action="append", default=[], metavar="ITEM=done",
                        help="tick a manual item: ITEM=done or ITEM=not-done (repeatable)")  # fmt: skip
    parser.add_argument("--override", default=None, metavar="REASON",
                        help="approve although a required item is not passing; the reason is recorded")  # fmt: skip
    add_render_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder = report_folder(args.dir)
    payload = load_payload(folder, checklists_dir=args.checklists, lang=args.lang)
    refresh(payload, args)  # an expired waiver refuses the sign-off; a new one is recorded with it
    outcome = sign(payload, by=args.by, ticks=parse_ticks(args.manual), override=args.override)
    lang = args.lang or payload.get("lang", "en")
    if not outcome.recorded:
        print(msg("signoff.refused", items=", ".join(outcome.not_passing)).render(lang), file=sys.stderr)
        print(msg("signoff.refused_hint").render(lang), file=sys.stderr)
        return 1
    write_checklist_files(folder, payload)
    summary = summary_text(payload, lang)
    if args.override:
        said = msg("signoff.signed_override", who=args.by, reason=args.override, summary=summary)
    else:
        said = msg("signoff.signed", who=args.by, summary=summary)
    print(said.render(lang))
    return 0
