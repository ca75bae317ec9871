"""Reading the app's tracebacks out of its log (harness.stack.applog)."""

from __future__ import annotations

from harness.stack.applog import app_errors, log_size, read_since

UVICORN = '''INFO:     started
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/srv/.venv/lib/python3.11/site-packages/uvicorn/protocols/http/h11_impl.py", line 407, in run_asgi
    result = await app(
  File "/srv/app/api/users.py", line 40, in list_users
    _read(url)
  File "/srv/app/api/users.py", line 34, in _read
    raise LookupError(f"no table through {url}")
LookupError: no table through postgresql://app:Sup3rSecret@db/app
'''

CHAINED = '''Traceback (most recent call last):
  File "/srv/app/db.py", line 3, in get
    return rows[0]
IndexError: list index out of range

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/app/db.py", line 5, in get
    raise AttributeError("'NoneType' object has no attribute 'id'")
AttributeError: 'NoneType' object has no attribute 'id'
'''

GROUP = '''  + Exception Group Traceback (most recent call last):
  |   File "/usr/lib/python3/dist-packages/anyio/_backends/_asyncio.py", line 9, in run
  |     raise
  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/srv/app/routes.py", line 12, in handler
    |     1/0
    | ZeroDivisionError: division by zero
    +------------------------------------
'''


def test_the_exception_line_and_the_apps_last_frame_masked():
    (error,) = app_errors(UVICORN)
    assert error == {"error": "LookupError: no table through postgresql://app:***@db/app",
                     "frame": "app/api/users.py:34 in _read",
                     "code": 'raise LookupError(f"no table through {url}")'}  # fmt: skip


def test_a_chained_exception_is_the_one_that_escaped():
    assert [e["error"] for e in app_errors(CHAINED)] == ["AttributeError: 'NoneType' object has no attribute 'id'"]


def test_an_exception_group_shows_its_member():
    (error,) = app_errors(GROUP)
    assert error["error"] == "ZeroDivisionError: division by zero" and error["frame"] == "srv/app/routes.py:12 in handler"


def test_only_a_library_frame_is_shown_when_the_app_has_none():
    text = 'Traceback (most recent call last):\n  File "/x/site-packages/lib/mod.py", line 1, in f\n    g()\nOSError: boom\n'
    assert app_errors(text)[0]["frame"] == "site-packages/lib/mod.py:1 in f"


def test_no_traceback_no_error_and_repeats_once():
    assert app_errors("INFO: all fine\nWARNING: slow\n") == []
    assert len(app_errors(UVICORN * 3)) == 1


def test_read_since_an_offset(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("old line\n")
    offset = log_size(log)
    with log.open("a") as out:
        out.write(UVICORN)
    assert read_since(log, offset) == UVICORN
    assert log_size(tmp_path / "missing.log") == 0 and read_since(tmp_path / "missing.log", 0) == ""
