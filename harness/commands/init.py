"""``python -m harness init``: write ``targets.toml`` (local + staging) for the app here.

Reads the app's source (alembic.ini, env.py, settings, the ASGI object) and asks the app's
own interpreter for its routes; writes ``targets.toml`` and ``expected_routes.json`` and
prints, as TODO lines, what it could not decide. On a terminal it asks where a person must
choose; ``--yes`` takes every default (CI).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.init.detect import NO_VENV, detect
from harness.init.plan_app import confirm_health, plan_from_app, plan_from_served_app, stands_in
from harness.init.profile import Plan, render
from harness.init.selfcheck import self_check, write_outputs
from harness.init.settle import settle
from harness.init.source import Findings

DRAFT = ".hv-init-draft.toml"  # the profile drafted before the served app is asked


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("init", help="write targets.toml for the app in this folder")
    parser.add_argument("--app-dir", default=".", help="the app's repository (default: here)")
    parser.add_argument("--yes", action="store_true", help="take every default, ask nothing")
    parser.add_argument("--base-url", help="the staging base URL (default: ${STAGING_BASE_URL})")
    parser.add_argument("--python", help="the app's interpreter (default: a .venv beside it)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing targets.toml")
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="do not run the local target once to check the profile",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = Path(args.app_dir).resolve()
    out = root / "targets.toml"
    ask = _asker(args.yes)
    found = detect(root)
    if args.python:  # not resolved: a venv's python is a symlink, following it leaves the venv
        found.python = Path(os.path.abspath(args.python))
        found.todo = [line for line in found.todo if not line.startswith(NO_VENV)]
    found.todo += settle(found)  # the driver installed there; the models' tables, by effect
    if found.wsgi:
        found.wsgi = ask("WSGI app (module:app or module:create_app())", found.wsgi)
    else:
        found.asgi = ask("ASGI/WSGI app (module:attribute)", found.asgi)
    plan = Plan(root=root, found=found, todo=list(found.todo))
    connects, served = plan_from_app(plan, ask) if found.asgi or found.wsgi else (False, None)
    if connects or (served is not None and stands_in(plan, served)):
        # What only the served app can tell, asked of the local target drafted so far: the
        # profile itself is written once, with the answer (a second init changes nothing).
        with _draft(root, render(plan)) as draft:
            if connects:  # its routes come from the app the local target serves
                print("init: the app connects to its database at import: reading its routes served")
                plan_from_served_app(plan, draft, _progress)
            elif served is not None:
                print("init: no route is named like a health check: asking the served app "
                      "what its cheap routes answer")  # fmt: skip
                confirm_health(plan, served, draft, _progress)
    said = write_outputs(_files(out, plan, args.base_url), out, args.force)
    for line in said:
        print(f"init: {line}")
    for line in plan.todo:
        print(f"TODO: {line}")
    if not args.no_check:
        self_check(root, out)
        if plan.todo:  # the run's lines pushed them up: say they are still there
            print(f"init: {len(plan.todo)} TODO line(s) above need a person (also atop {out.name})")
    return 0


@contextmanager
def _draft(root: Path, text: str) -> Iterator[Path]:
    """The profile drafted so far, beside where targets.toml goes (its paths are relative to
    that folder), removed afterwards."""
    draft = root / DRAFT
    draft.write_text(text, encoding="utf-8")
    try:
        yield draft
    finally:
        draft.unlink(missing_ok=True)


def _progress(line: str) -> None:
    if not line.startswith("waiting for"):  # each attempt of the readiness wait: noise here
        print(f"init: {line}")


def _files(out: Path, plan: Plan, base_url: str | None) -> dict[Path, str]:
    """targets.toml and, with it, the expected route list (never one without the other)."""
    text = render(plan)
    if base_url:
        text = text.replace("${STAGING_BASE_URL}", base_url, 1)
    routes = {plan.root / plan.expected_file: plan.expected_text} if plan.expected_file and plan.expected_text else {}
    return {out: text} | routes


def _asker(yes: bool) -> Any:
    interactive = not yes and sys.stdin.isatty()

    def ask(question: str, default: str | None) -> str | None:
        if not interactive:
            return default
        answer = input(f"{question} [{default or ''}]: ").strip()
        return answer or default

    return ask


__all__ = ["Findings", "register", "run"]
