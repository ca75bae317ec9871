"""Shared helpers for the harness's own tests."""

from __future__ import annotations

# httpx imports httpcore lazily, at its first request. A test that uses pytester and makes
# the first request of the session would leave httpcore out of the sys.modules snapshot that
# pytester restores afterwards: the next request then meets a second httpcore whose
# ConnectError httpx no longer maps, and a stack fixture's readiness wait dies on the first
# "connection refused". Importing it here puts it in every snapshot.
import httpcore  # noqa: F401
import pytest

from harness import secrets


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    secrets.forget_all()
    yield
    secrets.forget_all()


from support import project  # noqa: E402,F401  (fixture shared by the fault tests)
