"""``python -m harness release DIR [DIR ...]``: one release checklist across services.

Each DIR is one service's report folder (``reports/<UTC timestamp>-<target>/``); the service
is named by its target, or ``--name DIR=NAME``. Writes ``<reports>/<UTC timestamp>-release/``
with checklist.json/md/html (``--lang``); ``python -m harness signoff`` signs it like a run.
Exit 0 when every service's required items pass or are n/a, 1 when one fails or was not
run, 75 when one is blocked.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.report.checklist import LANGS
from harness.report.files import write_checklist_files
from harness.report.i18n import summary_text
from harness.report.release import combine
from harness.report.results import make_report_dir, utc_now
from harness.report.store import load_payload, report_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "release", help="one release checklist from several services' runs"
    )
    parser.add_argument("dirs", type=Path, nargs="+", help="each service's report folder")
    parser.add_argument("--name", action="append", default=[], metavar="DIR=NAME",
                        help="name a service other than by its target (repeatable)")  # fmt: skip
    parser.add_argument(
        "--report-dir", type=Path, default=Path("reports"), help="where the release folder goes"
    )
    parser.add_argument("--lang", choices=LANGS, default="en", help="language of the report")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    names = _names(args.name)
    services = []
    for folder in args.dirs:
        payload = load_payload(folder)
        default = payload.get("target", {}).get("name") or report_folder(folder).name
        services.append((names.get(str(folder), default), payload))
    release = combine(services, args.lang)
    out = make_report_dir(args.report_dir, "release", utc_now())
    write_checklist_files(out, release, args.lang)
    print(f"release report: {out / 'checklist.html'}")
    print(summary_text(release, args.lang))
    return int(release["exit_status"])


def _names(values: list[str]) -> dict[str, str]:
    names = {}
    for value in values:
        folder, sep, name = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(
                f"--name {value!r}: expected DIR=NAME.", hint="e.g. --name reports/run-a=wallet"
            )
        names[folder] = name.strip()
    return names
