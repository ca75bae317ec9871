"""``python -m harness COMMAND``: report, signoff, compare, janitor, targets, routes.

Each command lives in ``harness/commands/<name>.py`` and exposes
``register(subparsers) -> None`` which adds its sub-parser with ``set_defaults(run=...)``;
``run(args) -> int`` returns the exit code. Commands are discovered from that package, so
adding one never touches this file. A ``HarnessError`` becomes one line on stderr and
exit code 4 (configuration) or 75 (target unavailable), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from harness import commands
from harness.errors import EXIT_BLOCKED, ConfigError, HarnessError, TargetUnavailable
from harness.secrets import redact

EXIT_USAGE = 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__.splitlines()[0])
    from harness import __version__

    parser.add_argument("--version", action="version", version=f"staging-harness {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(redact(f"error: {exc.one_line()}"), file=sys.stderr)
        return EXIT_USAGE
    except TargetUnavailable as exc:
        print(redact(f"blocked: {exc.one_line()}"), file=sys.stderr)
        return EXIT_BLOCKED
    except HarnessError as exc:
        print(redact(f"error: {exc.one_line()}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
