#!/usr/bin/env bash
# What a deployment runs before starting the app: wait for the database, migrate, seed.
# Run from anywhere; it works in the app's folder, where alembic.ini is.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

"$PYTHON" -m app.backend_pre_start
"$PYTHON" -m alembic upgrade head
"$PYTHON" -m app.initial_data
