"""``python -m harness routes snapshot --target NAME [--out FILE]``: write the expected
route list from a live target's OpenAPI document, so a team adopts the harness in one step.
A profile with ``openapi_path = ""`` and an ``[app]`` gets the route table the app's code
declares instead (Flask's url_map), read in the app's interpreter without starting anything.

For a local profile the embedded stack is started for the snapshot and torn down after.
``--out`` defaults to the profile's ``[routes] expected`` file; ``-`` prints the list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.checks.routelist import expected_document, routes_spec
from harness.checks.routes import app_declared_routes, fetch_served_routes
from harness.commands._common import add_target_options, target_from_args
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.stack.appcode import AppCode
from harness.transport.auth import auth_headers
from harness.transport.http import HttpClient
from harness.transport.tls import tls_spec
from harness.transport.wait import HttpWaitStrategy, Throttled


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("routes", help="route list tools (snapshot)")
    actions = parser.add_subparsers(dest="routes_command", required=True, metavar="ACTION")
    snapshot = actions.add_parser(
        "snapshot", help="write the expected route list from a live target"
    )
    add_target_options(snapshot)
    snapshot.add_argument(
        "--out",
        default=None,
        help="file to write (default: the profile's routes.expected; - for stdout)",
    )
    snapshot.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target = target_from_args(args)
    spec = routes_spec(target)
    if spec.openapi_path is None and target.app is None:
        raise ConfigError(
            f"targets.{target.name}.routes: openapi_path is empty and there is no [app] to ask, "
            "so there is nothing to snapshot.",
            hint='write the expected list by hand: {"routes": ["GET /api/health", ...]}',
        )
    out = _destination(args.out, spec.expected_file, target.name)
    if spec.openapi_path is None:  # no OpenAPI document: the app's own route table, no stack
        assert target.app is not None
        served, source = app_declared_routes(AppCode(target.app))
    else:
        with _live(target) as live:
            served, source = _served(live, spec)
    text = expected_document(spec.keep(served), spec.openapi_path)
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    print(
        f"routes: {len(spec.keep(served))} route(s) from {source} -> {out or 'stdout'}",
        file=sys.stderr,
    )
    return 0


def _destination(option: str | None, expected: Path | None, name: str) -> Path | None:
    if option == "-":
        return None
    if option:
        return Path(option)
    if expected is None:
        raise ConfigError(
            f"targets.{name}.routes has no expected file to write.",
            hint="pass --out FILE (and set routes.expected to it), or --out - for stdout",
        )
    return expected


@contextmanager
def _live(target: Target) -> Iterator[Target]:
    """The target itself, or for a local profile the embedded stack brought up for this."""
    if target.base_url or not target.provisions_stack:
        yield target
        return
    from harness.stack import make_stack

    stack = make_stack(target)
    try:
        addresses = stack.start(_progress)
        yield target.with_addresses(addresses.base_url, addresses.database_url)
    finally:
        stack.stop()


def _served(target: Target, spec: Any) -> tuple[list[Any], str]:
    assert target.base_url
    verify = tls_spec(target).httpx_verify()
    health = f"{target.base_url}{target.health.path}"
    HttpWaitStrategy(health, timeout_s=target.health.wait_timeout_s, verify=verify).wait(_progress)
    with HttpClient(target.base_url, timeout_s=target.timeout_s, verify=verify) as client:
        served, source = fetch_served_routes(client, spec, lambda: auth_headers(target, client))
    if served is None:
        raise ConfigError(
            f"could not read the route list: {source}.",
            hint="set [targets.NAME.routes] openapi_path to where the app serves OpenAPI",
        )
    return served, source


def _write_stderr(line: str) -> None:
    print(line, file=sys.stderr)


_progress = Throttled(_write_stderr, every_s=2.0)
