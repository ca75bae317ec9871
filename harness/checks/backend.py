"""Remedies in the app's own words (issue 25.9): ``flask db upgrade`` where the app migrates
through Flask-Migrate, ``register_blueprint`` for a Flask app, ``include_router`` for a
FastAPI one, and both where the profile does not say which (a remote target without [app]).

The alembic wording is the default and stays exactly as it was, so the remedies of a FastAPI
app (and their Japanese) are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.config.app import AppSpec


@dataclass(frozen=True)
class Backend:
    framework: str | None = None  # "fastapi", "flask"; None: not known
    cli: str = "alembic"  # the migrate command's stem: "alembic", or "flask --app 'X' db"

    @property
    def flask_migrate(self) -> bool:
        return self.cli != "alembic"

    @property
    def upgrade(self) -> str:
        return f"{self.cli} upgrade" if self.flask_migrate else "alembic upgrade head"

    @property
    def autogenerate(self) -> str:
        return f"{self.cli} migrate" if self.flask_migrate else "alembic revision --autogenerate"

    def wrong_prefix(self) -> str:
        if self.framework == "flask":
            return "a blueprint is registered under the wrong prefix: fix its register_blueprint(url_prefix=...)"
        if self.framework == "fastapi":
            return "a router is mounted under the wrong prefix: fix its include_router(prefix=...)"
        return (
            "a router is mounted under the wrong prefix: fix its include_router(prefix=...) "
            "(FastAPI) or register_blueprint(url_prefix=...) (Flask)"
        )

    def mount_missing(self) -> str:
        if self.framework == "flask":
            return "register the missing blueprints (app.register_blueprint, with its url_prefix)"
        if self.framework == "fastapi":
            return "mount the missing routers (app.include_router, with its prefix)"
        return "mount the missing routers (FastAPI include_router / Flask register_blueprint, with its prefix)"

    def no_route(self) -> str:
        if self.framework == "flask":
            return ("no route of the app answers these paths: check each blueprint's "
                    "register_blueprint(url_prefix=...) against the expected list")  # fmt: skip
        if self.framework == "fastapi":
            return ("no route of the app answers these paths: check each router's "
                    "include_router(prefix=...) against the expected list")  # fmt: skip
        return (
            "the app has no route at these paths: check the router's include_router(prefix=...) "
            "(FastAPI) or the blueprint's url_prefix (Flask) against the expected list"
        )


def backend_of(app: AppSpec | None) -> Backend:
    """What the profile's [app] says: wsgi or migrations = "flask" is Flask, else FastAPI."""
    if app is None:
        return Backend()
    if app.migrations == "flask" and app.wsgi:
        # As the harness runs it (harness.checks.rehearsal.alembic_argv), quoted for a shell.
        named = "" if "FLASK_APP" in app.env else f" --app '{app.wsgi}'"
        return Backend("flask", f"flask{named} db")
    return Backend("flask" if app.wsgi else "fastapi")
