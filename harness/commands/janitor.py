"""``python -m harness janitor --target NAME [--ttl 6h]``: sweep leftovers of earlier runs."""

from __future__ import annotations

import argparse
import re
from typing import Any

from harness.commands._common import add_target_options, target_from_args
from harness.config.database import database_spec
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.janitor import DEFAULT_TTL_S, sweep, sweep_local
from harness.transport.db import ensure_reachable, make_writer


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("janitor", help="remove leftovers of dead runs, and of others older than a TTL")
    add_target_options(parser)
    parser.add_argument(
        "--ttl", default=None,
        help=f"age limit: 90s, 30m, 6h (default: database.schema_ttl_s, else {DEFAULT_TTL_S / 3600:g}h)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise ConfigError(f"--ttl {text!r} is not a duration.", hint="use e.g. 90s, 30m or 6h")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


def run(args: argparse.Namespace) -> int:
    target = target_from_args(args)
    ttl_s = parse_duration(args.ttl) if args.ttl else database_spec(target).schema_ttl_s
    if not target.database_url and not target.provisions_stack:
        raise ConfigError(f"target {target.name!r} has no database_url.", hint="set database_url")
    # This machine's leftovers of killed runs (owner dead): no TTL, no database needed.
    removed = sweep_local()
    if target.database_url:
        removed.extend(_sweep_database(target.database_url, ttl_s, target))
    else:  # local/containers: the database lives and dies with the run's own cluster
        print(f"janitor: target {target.name!r} brings its own database; swept this machine only")
    for line in removed:
        print(f"removed {line}")
    print(f"janitor: removed {len(removed)} leftover(s) (database objects of dead runs or older than {ttl_s:g}s)")
    return 0


def _sweep_database(url: str, ttl_s: float, target: Target) -> list[str]:
    engine = make_writer(url)  # the janitor's drops and deletes are writes
    try:
        ensure_reachable(engine)
        return sweep(engine, ttl_s, target)
    finally:
        engine.dispose()
