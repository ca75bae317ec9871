#!/usr/bin/env bash
# Build each example app's own venv (examples/<app>/.venv) from its pyproject.toml, so the
# harness runs the app's code in the app's interpreter ([app] python), never in its own venv.
# Idempotent: an app whose venv was built from the same pyproject.toml is left alone.
# Usage: scripts/example-venvs.sh [APP ...]   (default: every examples/* with a pyproject.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
    for project in examples/*/pyproject.toml; do
        [ -e "$project" ] && apps+=("$(basename "$(dirname "$project")")")
    done
fi
for app in "${apps[@]}"; do
    folder="examples/$app"
    [ -f "$folder/pyproject.toml" ] || { echo "example-venvs: $folder has no pyproject.toml" >&2; exit 4; }
    stamp="$folder/.venv/.hv-built-from"
    want=$(sha256sum "$folder/pyproject.toml" | cut -d' ' -f1)
    if [ -x "$folder/.venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "example-venvs: $folder/.venv is up to date"
        continue
    fi
    echo "example-venvs: building $folder/.venv"
    "$python" -m venv "$folder/.venv"
    "$folder/.venv/bin/pip" install -q --upgrade pip
    "$folder/.venv/bin/pip" install -q -e "$folder"
    echo "$want" > "$stamp"
done
