"""Options shared by commands that talk to a target."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.config.targets import DEFAULT_TARGETS_FILE, Target, resolve_target


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, help="target profile from targets.toml")
    parser.add_argument("--target-file", default=DEFAULT_TARGETS_FILE, help="path of targets.toml")
    parser.add_argument("--target-base-url", default=None, help="override base_url")
    parser.add_argument("--target-database-url", default=None, help="override database_url")


def target_from_args(args: argparse.Namespace) -> Target:
    overrides = {
        "base_url": getattr(args, "target_base_url", None),
        "database_url": getattr(args, "target_database_url", None),
    }
    return resolve_target(args.target, Path(args.target_file), overrides=overrides)
