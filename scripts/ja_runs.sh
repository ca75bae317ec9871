#!/bin/sh
# Refresh tests/report/ja_runs/: run the fault self-tests on every example app keeping each
# run's checklist.json (tests/support.py, HARNESS_KEEP_CHECKLISTS), then store them gzipped
# for tests/report/test_ja_everywhere.py. Heavy (about 40 min on 2 cores); -n 2 at most.
set -e
cd "$(dirname "$0")/.."
kept=$(mktemp -d)
HARNESS_KEEP_CHECKLISTS="$kept" .venv/bin/pytest -p no:randomly -n 2 -q \
    tests/e2e/test_example_apps.py tests/e2e/test_database.py tests/e2e/test_wallet.py \
    tests/e2e/test_flows_ledger.py tests/e2e/test_flows_reference.py tests/e2e/test_routes.py \
    tests/e2e/test_db_reconnect.py tests/e2e/test_verdicts.py tests/e2e/test_flask_app.py \
    tests/e2e/test_alembic_faults.py tests/e2e/test_rehearsal.py || true
mkdir -p tests/report/ja_runs
rm -f tests/report/ja_runs/*.json.gz
for run in "$kept"/*.json; do
    gzip -9 -n -c "$run" > "tests/report/ja_runs/$(basename "$run").gz"
done
rm -rf "$kept"
HARNESS_KEEP_CHECKLISTS= .venv/bin/pytest -p no:randomly -n 0 -q tests/report/test_ja_everywhere.py
