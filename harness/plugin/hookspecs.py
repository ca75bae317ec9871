"""Hook specifications other plugins and conftest files can implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.config.targets import Target
    from harness.stack import StackAddresses


@pytest.hookspec
def pytest_harness_stack_ready(
    config: pytest.Config, target: Target, addresses: StackAddresses
) -> None:
    """Called on the controller once the local stack is up, before any test runs.

    The harness's own fault-injection tests use it to break the database on purpose
    (drop pgvector, downgrade one revision, add a column by hand) before the checks look.
    """
