"""models-match: env.py that could not connect (a database restart) blocks instead of comparing
with Alembic's defaults, which would name the app's other schemas as missing."""

from __future__ import annotations

import pytest

from harness.checks.models import _require_env_py_connected
from harness.errors import DatabaseUnreachable


@pytest.mark.parametrize(
    "reason",
    [
        "env.py could not run: ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 43593)",
        "env.py could not run: CannotConnectNowError: the database system is starting up",
        'env.py could not run: OperationalError: connection to server at "127.0.0.1", port 5432 failed: Connection refused',
    ],
)
def test_a_database_that_did_not_answer_blocks(reason: str) -> None:
    with pytest.raises(DatabaseUnreachable, match="nothing compared"):
        _require_env_py_connected({"options": {"from": "Alembic's defaults", "reason": reason}})


@pytest.mark.parametrize(
    "options",
    [
        {"from": "Alembic's defaults", "reason": "env.py could not run: ImportError: No module named 'app'"},
        {"from": "Alembic's defaults", "reason": "the profile names no alembic_ini"},
        {"from": "env.py", "include_schemas": True},
    ],
)
def test_other_reasons_still_compare(options: dict) -> None:
    _require_env_py_connected({"options": options})
