"""The parity checklist item on two real stacks of the reference app.

Three stacks (embedded PostgreSQL + pgvector, the app's migrations, uvicorn on 127.0.0.1):
two healthy ones, which must show no difference, and a "production" one with differences
injected the way they happen — one revision behind (the app's own downgrade), its pgvector
extension missing, an index added by hand, the wallet router not deployed. Each must be named
once, on the right side, through ``pytest --target=staging`` with a counterpart, and the
production side's server log must show no write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from support import REPO, start_reference_stack

from harness.stack import LocalStack, StackAddresses

pytestmark = pytest.mark.stack
SUITE = "suites/test_parity.py"


def _behind_without_vector_with_hand_index(addresses: StackAddresses) -> None:
    """One revision behind (0005 adds tasks.embedding), then no pgvector, then a hand index."""
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "examples/reference_app/alembic.ini"), "downgrade", "0004"],
        env={**os.environ, "DATABASE_URL": addresses.database_url}, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with psycopg.connect(addresses.database_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION vector")
        conn.execute("CREATE INDEX ix_users_hand_made ON users (id)")
        name = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f"ALTER DATABASE \"{name}\" SET log_statement = 'all'")  # from the next session


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, StackAddresses]]:
    started: list[LocalStack] = []
    try:
        found = {}
        for name, faults in (("a", ""), ("b", ""), ("production", "drop_wallet_router")):
            stack, addresses = start_reference_stack(faults)
            started.append(stack)
            found[name] = addresses
        _behind_without_vector_with_hand_index(found["production"])
        found["log"] = started[-1].postgres.log_path  # type: ignore[union-attr,assignment]
        yield found
    finally:
        for stack in started:
            stack.stop()


def _run(project, mine: StackAddresses, theirs: StackAddresses, lang: str = "en"):
    project.set_targets({"targets": {
        "staging": {"parity": {"counterpart": "production"}},
        "production": {"kind": "remote", "production": True, "base_url": theirs.base_url,
                       "database_url": theirs.database_url,
                       "routes": {"expected": "expected_routes/reference_app.json"}},
    }})  # fmt: skip
    env = {"STAGING_BASE_URL": mine.base_url, "STAGING_DATABASE_URL": mine.database_url}
    result = project.run(SUITE, "--target=staging", f"--report-lang={lang}", env=env, timeout=300)
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    return result, {item["id"]: item for item in checklist["items"]}["parity"]


def test_two_identical_stacks_have_no_difference(project, stacks):
    result, parity = _run(project, stacks["a"], stacks["b"])
    assert parity["status"] == "pass", (parity, result.stdout.str())
    summary = parity["evidence"][0]["summary"]
    assert summary.startswith("staging and production agree")
    assert "catalog" in summary and "routes (13 and 13)" in summary


def test_each_injected_difference_is_named_once_on_its_side(project, stacks):
    log_start = stacks["log"].stat().st_size
    result, parity = _run(project, stacks["a"], stacks["production"])
    assert result.ret == 1, result.stdout.str()
    assert parity["status"] == "fail"
    texts = [t for check in parity["evidence"] for t in check["evidence"].get("differences", [])]
    named = {
        "Alembic revision: staging has 0005, production has 0004": 1,
        "extension vector: staging has": 1,  # its version, then "production has none"
        "users index ix_users_hand_made: only production has it": 1,
        "route GET /api/wallet/supply: only staging has it": 1,
    }
    for start, count in named.items():
        assert sum(t.startswith(start) for t in texts) == count, (start, texts)
    # Everything else follows from the injected changes: the downgraded column and its index,
    # the wallet router's other routes, the revision the app reports in its health body;
    # nothing says the wrong side has something.
    others = [t for t in texts if not any(t.startswith(s) for s in named)]
    assert "health version: staging has 0005, production has 0004" in others
    others.remove("health version: staging has 0005, production has 0004")
    assert all("only staging has it" in t and ("embedding" in t or "/api/wallet" in t) for t in others), others
    assert parity["remediation"][0].startswith("make production what staging should be"), parity
    assert _writes_in(stacks["log"], log_start) == []


def test_the_item_reads_japanese(project, stacks):
    _run(project, stacks["a"], stacks["b"], lang="ja")
    page = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "staging と production は一致しています" in page, page
    _run(project, stacks["a"], stacks["production"], lang="ja")
    page = (project.report_dirs()[-1] / "checklist.md").read_text()
    assert "staging と production の相違" in page and "staging にだけあります" in page, page
    assert "only production has it" not in page  # each difference from its id, not English


def test_without_a_counterpart_the_item_is_na_and_no_test_runs(project, stacks):
    env = {"STAGING_BASE_URL": stacks["a"].base_url, "STAGING_DATABASE_URL": stacks["a"].database_url}
    result = project.run(SUITE, "--target=staging", env=env, timeout=300)
    checklist = json.loads((project.report_dirs()[-1] / "checklist.json").read_text())
    parity = {item["id"]: item for item in checklist["items"]}["parity"]
    assert parity["status"] == "na" and "counterpart" in parity["reason"], parity
    result.assert_outcomes(deselected=1)


def _writes_in(log, start: int) -> list[str]:
    statements = [
        line.split("statement:", 1)[1].strip()
        for line in log.read_text(errors="replace")[start:].splitlines()
        if "statement:" in line
    ]
    assert statements, "log_statement = all should have logged parity's reads"
    writes = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "COPY")
    return [s for s in statements if s.upper().startswith(writes)]
