"""``python -m harness targets [NAME]``: list profiles, or show one resolved (masked)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.config.targets import DEFAULT_TARGETS_FILE, load_targets_file, resolve_target


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("targets", help="list target profiles or show one resolved")
    parser.add_argument("name", nargs="?", help="show this profile resolved, passwords masked")
    parser.add_argument("--target-file", default=DEFAULT_TARGETS_FILE)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.target_file)
    if args.name:
        print(json.dumps(resolve_target(args.name, path).describe(), indent=2))
        return 0
    for name, table in load_targets_file(path).items():
        print(f"{name}\t{table.get('kind', 'remote')}")
    return 0
