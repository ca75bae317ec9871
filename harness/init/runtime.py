"""The local profile's ``[app]`` run keys: what serves the app and what migrates it.

A FastAPI/Starlette app is ``asgi`` (uvicorn); a Flask app is ``wsgi`` (gunicorn), migrated
through Flask-Migrate (``migrations = "flask"``) when its env.py needs the app context. A
``flask db upgrade`` step names the app with ``--app`` from Flask 2.2 on, else through
``FLASK_APP`` in ``[app] env``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.init.source import Findings


def app_entry(found: Findings) -> dict[str, Any]:
    if not found.wsgi:
        return {"asgi": found.asgi, "migrate": _concrete(found.migrate, found) or None}
    return {
        "wsgi": found.wsgi,
        "migrations": "flask" if found.migrations == "flask" else None,
        # Empty: the default for migrations = "flask" (flask db upgrade in the app's context).
        "migrate": _concrete(found.migrate, found) or None,
    }


def _concrete(steps: list[list[str]], found: Findings) -> list[list[str]]:
    named = [] if "FLASK_APP" in found.env or not found.wsgi else ["--app", found.wsgi]
    return [
        ["{python}", "-m", "flask", *named, *step[1:]] if step[:1] == ["{flask}"] else step
        for step in steps
    ]
