"""init checks its own work: write only what changed, then run the local target once.

``write_outputs`` leaves a file whose text is already what init would write untouched (a
second ``init`` on a configured app changes nothing and says so). ``self_check`` runs
``pytest --target local`` in a subprocess with the harness's interpreter, its report in a
temporary folder (kept, and named, when the run is not green), and prints each item as the
run judged it.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import ConfigError

_SHOWN = {"pass": "pass", "fail": "FAIL", "na": "n/a", "blocked": "BLOCKED",
          "not_run": "NOT RUN", "interrupted": "INTERRUPTED"}  # fmt: skip


def write_outputs(files: dict[Path, str], profile: Path, force: bool) -> list[str]:
    """Write each file whose text differs; one line per file saying what happened. An
    existing profile that would change is refused unless ``force`` (nothing written)."""
    old = profile.read_text(encoding="utf-8") if profile.is_file() else None
    if old is not None and old != files[profile] and not force:
        raise ConfigError(
            f"{profile} exists and init would write it differently.",
            hint="move it away or pass --force to overwrite it",
        )
    said = []
    for path, text in files.items():
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        if before == text:
            said.append(f"{path.name} unchanged (already what init writes)")
            continue
        path.write_text(text, encoding="utf-8")
        said.append(f"{path.name} {'written' if before is None else 'updated'}")
        if before is not None and path == profile:
            said += changed_lines(before, text)
    return said


def changed_lines(before: str, after: str, limit: int = 20) -> list[str]:
    """What an update changed in the profile: its removed and added lines."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    lines = [f"  {x}" for x in diff if x[:1] in "+-" and x[:3] not in ("+++", "---")]
    return lines[:limit] + ([f"  ... and {len(lines) - limit} more"] if len(lines) > limit else [])


def self_check(root: Path, profile: Path, timeout_s: float = 1800) -> int:
    """Run the local target once; print each item's status. Its exit code."""
    print(
        "init: checking the profile: pytest --target local (skip with --no-check) ...", flush=True
    )
    reports = Path(tempfile.mkdtemp(prefix="hv-init-check-"))
    command = [
        sys.executable, "-m", "pytest", "--target", "local", "--target-file", str(profile),
        "--report-dir", str(reports), "-p", "no:cacheprovider", "-q",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    try:
        done = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True,
            timeout=timeout_s, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        print(
            f"check: the local run took longer than {timeout_s:.0f}s; stopped (report: {reports})"
        )
        return 124
    for line in summary_lines(_checklist(reports), done.returncode, done.stdout + done.stderr):
        print(line)
    if done.returncode == 0:
        shutil.rmtree(reports, ignore_errors=True)
    else:
        print(f"check: the run's report is in {reports}")
    return done.returncode


def _checklist(reports: Path) -> dict[str, Any] | None:
    found = sorted(reports.glob("*/checklist.json"))
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else None


def summary_lines(checklist: dict[str, Any] | None, code: int, output: str) -> list[str]:
    """``check:`` lines: the exit code and what it means, one line per item, and where the
    run stopped short (exit 2, 4 …) the lines of its output that say why."""
    meaning = {0: "every required item passes or is n/a", 1: "a required item fails or did not run",
               2: "pytest stopped: a module failed to import (see below)",
               4: "the profile or the app needs a person (see below)"}  # fmt: skip
    lines = [f"check: pytest --target local exited {code} ({meaning.get(code, 'see below')})"]
    for item in (checklist or {}).get("items", []):
        if item.get("manual"):
            continue
        status = _SHOWN.get(item.get("status", ""), str(item.get("status")))
        reason = re.sub(r"^(n/a|not run): ", "", (item.get("reason") or "").strip()).splitlines()
        shown = f": {reason[0][:200]}" if reason and status != "pass" else ""
        lines.append(f"  {status:<11} {item['id']}{shown}")
    if code in (0, 1) and checklist is not None:
        return lines
    said = [x.strip() for x in output.splitlines() if x.strip()]
    why = [x for x in said if x.startswith(("ERROR ", "harness:", "E   "))][-5:] or said[-3:]
    return lines + [f"check: {x[:300]}" for x in why]
