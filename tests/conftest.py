"""Shared helpers for the harness's own tests."""

from __future__ import annotations

import pytest

from harness import secrets


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    secrets.forget_all()
    yield
    secrets.forget_all()


from support import project  # noqa: E402,F401  (fixture shared by the fault tests)
