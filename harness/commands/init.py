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
from pathlib import Path
from typing import Any

from harness.checks.routelist import expected_document
from harness.init.app_probe import Served, health_route, login_route, path_param_values, probe_app
from harness.init.detect import NO_VENV, Findings, detect
from harness.init.profile import Plan, render
from harness.init.selfcheck import self_check, write_outputs
from harness.init.settle import probe_variables, settle

EXPECTED_FILE = "expected_routes.json"


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
    found.asgi = ask("ASGI/WSGI app (module:attribute)", found.asgi)
    plan = Plan(root=root, found=found, todo=list(found.todo))
    if found.asgi:
        _plan_from_app(plan, ask)
    text = render(plan)
    if args.base_url:
        text = text.replace("${STAGING_BASE_URL}", args.base_url, 1)
    files = {out: text} | ({root / EXPECTED_FILE: plan.expected_text} if plan.expected_text else {})
    for line in write_outputs(files, out, args.force):
        print(f"init: {line}")
    for line in plan.todo:
        print(f"TODO: {line}")
    if not args.no_check:
        self_check(root, out)
        if plan.todo:  # the run's lines pushed them up: say they are still there
            print(f"init: {len(plan.todo)} TODO line(s) above need a person (also atop {out.name})")
    return 0


def _plan_from_app(plan: Plan, ask: Any) -> None:
    found = plan.found
    try:
        served = probe_app(found.python, found.app_dir, str(found.asgi), probe_variables(found))
    except (RuntimeError, OSError) as exc:
        plan.todo.append(f"{exc}; routes not written (python -m harness routes snapshot, later)")
        return
    plan.openapi_path = served.openapi_path
    plan.path_params = path_param_values(served)
    plan.login = login_route(served)
    plan.has_wallet = any("wallet" in route.path for route in served.routes)
    _health(plan, served, ask)
    plan.expected_text = expected_document(served.routes, served.openapi_path)
    plan.expected_file = EXPECTED_FILE
    if plan.login:
        plan.todo.append(
            f"login route {plan.login[0]} found: most routes may need its token ([auth.login], commented out)"
        )


def _health(plan: Plan, served: Served, ask: Any) -> None:
    path, expect = health_route(served)
    if path is None:
        gets = sorted(
            (r.path for r in served.routes if r.method == "GET" and "{" not in r.path), key=len
        )
        path = gets[0] if gets else "/"
        plan.todo.append(
            f"no health route: {path} stands in (a cheap read-only GET); expect = {{}} accepts any JSON object"
        )
        expect = {}
    elif expect is None:
        plan.todo.append(f'could not read what {path} answers: expect = {{"status": "ok"}} assumed')
        expect = {"status": "ok"}
    plan.health_path = ask("health route", path)
    plan.health_expect = expect


def _asker(yes: bool) -> Any:
    interactive = not yes and sys.stdin.isatty()

    def ask(question: str, default: str | None) -> str | None:
        if not interactive:
            return default
        answer = input(f"{question} [{default or ''}]: ").strip()
        return answer or default

    return ask


__all__ = ["Findings", "register", "run"]
