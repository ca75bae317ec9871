"""The "Done when" run, built as payloads (no stack): two failing items, one waiver, three
earlier runs of the same target in the reports folder. Shared by the report tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from support import REPO

from harness.plugin.parity import NO_COUNTERPART
from harness.report.build import build_checklist_report
from harness.report.checklist import load_checklist
from harness.report.files import write_checklist_files
from harness.report.waivers import Waiver, apply_waivers

WAIVER = Waiver(item="schema-drift", finding="users.credits", reason="kept for compatibility with the v1 client",
                who="Aiko Sato", expires=date(2099, 12, 31))  # fmt: skip
EXPIRED = Waiver(item="routes-reachable", reason="old proxy rule", who="Ken Ito", expires=date(2020, 1, 1))

DRIFT = "users.credits: column in the live database that no migration creates (integer NOT NULL DEFAULT 0)"
REACH = [
    "GET /api/v1/items/ -> GET: HTTP 200 from the app",
    "GET /api/v1/wallet/balance -> GET: HTTP 404 not from the app: server 'nginx', text/html, body '<html>'",
    "POST /api/v1/tasks/{id}/complete -> POST {}: HTTP 404 not from the app: server 'nginx', text/html, body '<html>'",
]


def check(item: str, ok: bool, summary: str, remediation: str | None = None,
          expected: dict[str, Any] | None = None, **evidence: Any) -> dict[str, Any]:  # fmt: skip
    return {"item": item, "ok": ok, "summary": summary, "evidence": evidence,
            "expected": expected or {}, "remediation": remediation}  # fmt: skip


def test(item: str, outcome: str, *checks: dict[str, Any], message: str | None = None) -> dict[str, Any]:
    return {"nodeid": f"suites/test_{item.replace('-', '_')}.py::test_it", "checklist": [item],
            "outcome": outcome, "duration_s": 0.5, "message": message, "checks": list(checks)}  # fmt: skip


def current_tests() -> list[dict[str, Any]]:
    return [
        test("health", "passed", check("health", True, "/api/v1/utils/health-check/ answered 200 in 0.05s", status=200)),
        test("routes", "passed", check("routes", True, "all 13 expected routes are served", served_count=13)),
        test("routes-reachable", "failed", check(
            "routes-reachable", False,
            f"2 of 3 expected route(s) not reachable through http://127.0.0.1:8000: {REACH[1]}; {REACH[2]}",
            remediation="the reverse proxy/ingress does not forward these paths to the app: add a rule for "
            "their prefix (before any catch-all such as /api/) or the missing rewrite",
            expected={"every route answered by": "the app"}, unreachable=REACH[1:], answers=REACH)),
        test("pgvector", "passed", check("pgvector", True, "pgvector 0.8.0 installed in schema public (minimum 0.5.0)")),
        test("migration-head", "blocked", message="blocked: database postgresql://app:***@127.0.0.1:9/app: connection refused."),
        test("schema-drift", "failed", check(
            "schema-drift", False, "1 difference(s) between the live schema and its migrations: users.credits",
            remediation="turn each hand-made change into a migration (alembic revision --autogenerate, review, deploy) "
            "or revert it; restore what a migration created and someone removed",
            expected={"differences": []}, differences=[DRIFT], replayed_to=["c3d4"])),
        test("models-match", "passed", check("models-match", True, "the live schema has every table and column of app.models")),
        test("wallet-reward", "failed", check(
            "wallet-reward", False,
            "balance rose by 14, expected exactly the bounty 7; ledger credits for the task are [7, 7], expected exactly [7]",
            remediation="completion paid more than once: make the payout happen once per completion",
            expected={"balance_rise": 7, "ledger_credits": [7], "task_ledger_db": [-7, 7]},
            balance_rise=14, ledger_credits=[7, 7], task_ledger_db=[-7, 7, 7], bounty=7)),
    ]  # fmt: skip


def results(started: str, tests: list[dict[str, Any]], duration_s: float, run_id: str) -> dict[str, Any]:
    return {"schema_version": 1, "run_id": run_id, "started_at": started, "finished_at": started,
            "duration_s": duration_s, "exit_status": 1, "blocked_reason": None,
            "target": {"name": "staging", "kind": "remote", "base_url": "https://staging.example.com",
                       "database_url": "postgresql+psycopg://app:***@db/app"},
            "environment": {"code_revision": "abc1234", "db_version": "16.4", "pgvector_version": "0.8.0",
                            "db_revision": "c3d4"},
            "tests": tests,
            # What the plugin records for a profile without a parity counterpart.
            "not_applicable": {"parity": NO_COUNTERPART.format(name="staging")}}  # fmt: skip


def earlier(n: int) -> list[dict[str, Any]]:
    """Night n of three: wallet-reward passed until the last night, health failed on the first."""
    tests = [t for t in current_tests() if t["checklist"][0] not in ("wallet-reward", "migration-head")]
    tests.append(test("wallet-reward", "passed", check("wallet-reward", True, "bounty 7 credited once, ledger balanced")))
    tests.append(test("migration-head", "passed", check("migration-head", True, "the database is at the script head c3d4")))
    if n == 0:
        tests[0] = test("health", "failed", check("health", False, "/api/v1/utils/health-check/ answered HTTP 503, expected 200",
                        remediation="the app reports itself unhealthy: read its logs; check its database connection"))  # fmt: skip
    return tests


# A test id as parametrised real suites make them: long, and without a space to break at.
LONG_ID = ("suites/test_routes.py::test_every_expected_route_answers_through_the_public_prefix_without_a_proxy_404"
           "[GET-https://staging.example.com/api/v1/wallet/users/{user_id}/ledger?include=entries,balances,supply]")
APP_ERROR = {"error": "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column users.credits_balance_"
             "after_the_v2_migration_of_the_wallet_service does not exist", "frame": "app/api/routes/wallet.py:88 in ledger",
             "code": "rows = await session.scalars(select(User))"}  # fmt: skip


def long_tests() -> list[dict[str, Any]]:
    """Tonight's tests with long ids, a blocked cause and an app error, as a real run has."""
    tests = current_tests()
    for n, t in enumerate(tests):
        t["nodeid"] = f"{LONG_ID}-{n}"
        if t["outcome"] == "blocked":
            t["cause"] = "db_restarting"
        if t["checklist"] == ["routes-reachable"]:
            t["app_errors"] = [APP_ERROR]
    return tests


def build(lang: str = "en", tz: str | None = "Asia/Tokyo", *, long_ids: bool = False) -> dict[str, Any]:
    checklist = load_checklist("phase1", REPO / "checklists")
    tests = long_tests() if long_ids else current_tests()
    payload = build_checklist_report(results("2026-11-23T18:17:00Z", tests, 754.2, "run-4"), checklist, lang=lang)
    payload["report_tz"] = tz
    apply_waivers(payload, [WAIVER, EXPIRED], date(2026, 11, 24))
    return payload


def write_history(root: Path, lang: str = "en", *, long_ids: bool = False) -> Path:
    """Three earlier nights and tonight's run under ``root``; returns tonight's folder."""
    checklist = load_checklist("phase1", REPO / "checklists")
    for n, day in enumerate(("20", "21", "22")):
        folder = root / f"202611{day}T181700Z-staging"
        folder.mkdir(parents=True)
        old = build_checklist_report(results(f"2026-11-{day}T18:17:00Z", earlier(n), 600.0 + 30 * n, f"run-{n}"), checklist)
        (folder / "checklist.json").write_text(json.dumps(old), encoding="utf-8")
    folder = root / "20261123T181700Z-staging"
    folder.mkdir()
    write_checklist_files(folder, build(lang, long_ids=long_ids))
    return folder


def write_waivers(path: Path) -> Path:
    """The same two waivers as ``build`` applies, as a waivers.toml."""
    path.write_text(
        '[[waivers]]\nitem = "schema-drift"\nfinding = "users.credits"\nwho = "Aiko Sato"\n'
        'reason = "kept for compatibility with the v1 client"\nexpires = 2099-12-31\n\n'
        '[[waivers]]\nitem = "routes-reachable"\nwho = "Ken Ito"\nreason = "old proxy rule"\nexpires = 2020-01-01\n',
        encoding="utf-8",
    )
    return path
