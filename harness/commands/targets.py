"""``python -m harness targets [NAME]``: list profiles, or show one resolved (masked).

``python -m harness targets schema [--out targets.schema.json]`` writes the JSON Schema
editors can check targets.toml with (harness.config.jsonschema).
"""

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
    parser.add_argument("--out", default="targets.schema.json", help="with 'schema': where to write it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.target_file)
    if args.name == "schema":
        from harness.config.jsonschema import targets_schema

        Path(args.out).write_text(json.dumps(targets_schema(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    if args.name:
        print(json.dumps(resolve_target(args.name, path).describe(), indent=2))
        return 0
    for name, table in load_targets_file(path).items():
        print(f"{name}\t{table.get('kind', 'remote')}")
    return 0
