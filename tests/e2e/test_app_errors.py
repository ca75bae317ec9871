"""A route that answered 500 shows the app's own error in the report (issue 26, point 4).

The reference app's ``users_list_raises`` fault makes ``GET /api/users`` raise an exception
whose message names the database URL (password included), as a careless error message
would. uvicorn answers 500 and logs the traceback to app.log; the report shows the exception
line and the last frame of the app's code under routes-reachable, masked, in checklist.json,
checklist.md and checklist.html, in English and Japanese. Under xdist the worker that ran the
check finds the log through the addresses the controller handed it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest
from support import REPO

pytestmark = pytest.mark.stack

ERROR = "LookupError: users table not readable through postgresql://postgres:***@127.0.0.1:"
FRAME = "reference_app/routers/users.py:34 in _read_users_table"
# A URL whose password is not masked.
BARE_PASSWORD = re.compile(r"postgresql://postgres:(?!\*\*\*@)[^@\s]+@")


def test_a_route_that_raises_shows_its_exception_line_in_every_format(project):
    result = project.run("suites/test_routes.py", "suites/test_health.py", "-n", "2", faults="users_list_raises")
    assert result.ret == 1, result.stdout.str()[-3000:]
    folder = project.report_dirs()[-1]
    data = json.loads((folder / "checklist.json").read_text(encoding="utf-8"))
    errors = {i["id"]: i["app_errors"] for i in data["items"] if i["app_errors"]}
    assert list(errors) == ["routes-reachable"], errors  # health and routes passed: nothing shown
    (error,) = errors["routes-reachable"]
    assert error["error"].startswith(ERROR) and error["frame"] == FRAME
    md = (folder / "checklist.md").read_text(encoding="utf-8")
    assert f"The app's error (from its log): {ERROR}" in md and f"(at {FRAME})" in md
    html = unescape((folder / "checklist.html").read_text(encoding="utf-8"))
    assert f"The app's error (from its log):</strong> <code>{ERROR}" in html
    for name in ("checklist.json", "checklist.md", "checklist.html", "results.json"):
        assert not BARE_PASSWORD.search((folder / name).read_text(encoding="utf-8")), name
    done = subprocess.run([sys.executable, "-m", "harness", "report", str(folder), "--lang", "ja"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    md_ja = (folder / "checklist.md").read_text(encoding="utf-8")
    assert f"アプリのエラー（アプリのログより）: {ERROR}" in md_ja and f"（発生箇所: {FRAME}）" in md_ja
