"""models-match's comparison, started when the tests start instead of when its test does.

The comparison is a subprocess in the app's interpreter (imports, env.py, autogenerate's
reflection): seconds of waiting that need nothing but the live schema, which the harness never
changes. On a stack this process provisioned (local, containers; not under an xdist worker,
whose items are handed out one by one) it runs on a background thread from the start of the
test loop, beside the other tests; the ``app_models`` fixture then takes its answer, or its
exception, exactly as if it had run the comparison itself. Where any precondition is not met
(no models named, no app, the profile does not resolve) nothing starts here and the fixture
works as before. db-reconnect, which cuts database sessions, waits for it first, and so does
the end of the session (before the stack stops).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness.plugin.session import get_state

_KEY = pytest.StashKey["Prefetch"]()
_WAITS_FOR_IT = "db-reconnect"  # cuts sessions: never while the comparison holds one


class Prefetch:
    """One call on a background thread; ``result`` gives its value or raises its exception."""

    def __init__(self, call: Any) -> None:
        self._call: Any = call
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="hv-prefetch-models", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # noqa: BLE001  handed to the fixture, raised there
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value


def prefetched_models(config: pytest.Config) -> Prefetch | None:
    return config.stash.get(_KEY, None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    if any("app_models" in getattr(item, "fixturenames", ()) for item in session.items):
        call = _comparison(session.config)
        if call is not None:
            session.config.stash[_KEY] = Prefetch(call)


def _comparison(config: pytest.Config) -> Any:
    """The comparison the fixture would run, or ``None`` where this is not the simple case."""
    state = get_state(config)
    target = state.target
    if state.stack is None or state.addresses is None or target is None or state.unavailable:
        return None
    if target.app is None or not target.database_url:
        return None
    from harness.checks.models import compare_models
    from harness.config.database import database_spec
    from harness.stack.appcode import AppCode

    try:
        spec = database_spec(target)
    except Exception:  # noqa: BLE001  the fixture raises it where it belongs
        return None
    if not spec.models:
        return None
    app, ini, url = AppCode(target.app), target.alembic_ini, target.database_url
    return lambda: compare_models(app, spec, ini, url)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("checklist")
    pending = prefetched_models(item.config)
    if pending is not None and marker is not None and _WAITS_FOR_IT in marker.args:
        pending.wait()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    pending = prefetched_models(session.config)
    if pending is not None:
        pending.wait()  # before the stack stops under it
