"""``python -m harness parity A [B]``: two live environments compared, read-only.

B defaults to A's ``[parity] counterpart``. Prints each difference with which side has what
(``--lang ja`` in Japanese, ``--json`` as data); differences listed in A's ``[parity] ignore``
are shown as accepted and do not count. Exit 0 when nothing unaccepted differs, 1 when
something does, 4 for a configuration error, 75 when a side cannot be reached.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from harness.checks.parity import Difference, compare_sides, read_side, render, split_accepted
from harness.config.parity import Accepted, parity_spec
from harness.config.targets import DEFAULT_TARGETS_FILE, resolve_target
from harness.errors import ConfigError
from harness.report.checklist import LANGS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "parity", help="compare two live targets (e.g. staging and production), read-only"
    )
    parser.add_argument("a", help="a target profile (e.g. staging)")
    parser.add_argument(
        "b", nargs="?", default=None, help="the other one (default: a's [parity] counterpart)"
    )
    parser.add_argument("--target-file", default=DEFAULT_TARGETS_FILE, help="path of targets.toml")
    parser.add_argument("--lang", choices=LANGS, default="en", help="language of the output")
    parser.add_argument("--json", action="store_true", help="print the differences as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.target_file)
    first = resolve_target(args.a, path)
    spec = parity_spec(first)
    other = args.b or spec.counterpart
    if not other:
        raise ConfigError(f"no second target to compare {args.a!r} with.",
                          hint=f"name it (python -m harness parity {args.a} production) or set "
                          f"[targets.{args.a}.parity] counterpart")  # fmt: skip
    second = resolve_target(other, path)
    differences = compare_sides(read_side(first), read_side(second))
    found, accepted = split_accepted(differences, spec.ignore, date.today())
    if args.json:
        print(json.dumps({"a": first.name, "b": second.name, "differences": [d.to_dict() for d in found],
                          "accepted": [{**d.to_dict(), "reason": w.reason, "who": w.who,
                                        "until": w.until.isoformat()} for d, w in accepted]},
                         ensure_ascii=False, indent=2))  # fmt: skip
    else:
        _print(first.name, second.name, found, accepted, args.lang)
    return 1 if found else 0


def _print(
    a: str, b: str, found: list[Difference], accepted: list[tuple[Difference, Accepted]], lang: str
) -> None:
    print(render("title", lang, a=a, b=b, n=len(found)))
    for difference in found:
        print(f"  - {difference.render(lang)}")
    for difference, waiver in accepted:
        note = render(
            "ignored", lang, until=waiver.until.isoformat(), who=waiver.who, reason=waiver.reason
        )
        print(f"  ~ {difference.render(lang)} ({note})")
