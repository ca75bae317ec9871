"""A migrate step that stopped on several Alembic heads is migration-head's verdict.

The stack leaves PostgreSQL up as the step left it and starts no app
(``StackAddresses.migrate_stopped``, harness.stack.app.MigrationsDiverged). migration-head
then runs as on any database and fails naming the heads (exit 1); every other item would be
judged on a database the migrations never built, so it is "not run" with the reason, never
a schema or HTTP verdict.
"""

from __future__ import annotations

import pytest

from harness.plugin.session import state_key

JUDGED = "migration-head"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(state_key, None)
    addresses = state.addresses if state is not None else None
    if addresses is None or not addresses.migrate_stopped:
        return
    marker = item.get_closest_marker("checklist")
    if marker is not None and JUDGED in marker.args:
        return
    pytest.skip(f"not run: {addresses.migrate_stopped}")
