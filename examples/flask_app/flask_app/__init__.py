"""Application factory: ``flask --app flask_app ...`` and ``wsgi:app`` both use it."""
from typing import Any

from flask import Flask, Response, current_app, jsonify

from flask_app import config
from flask_app.extensions import db, migrate


def faults() -> frozenset[str]:
    return current_app.config["FAULTS"]


def index() -> Response | tuple[str, int, dict[str, str]]:
    # What the seeds' stack answered at "/": its only health signal.
    if "health_500" in faults():
        return "error", 500, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; a bad environment raises config.ConfigError here."""
    app = Flask(__name__)
    app.config.update(config.from_env() if overrides is None else overrides)
    app.config.setdefault("FAULTS", frozenset())
    db.init_app(app)
    # compare_type so `flask db migrate`/check sees type changes (vector dims, lengths).
    migrate.init_app(app, db, compare_type=True)
    from flask_app import models  # noqa: F401  (registers the tables on db.metadata)
    from flask_app.api import api

    app.add_url_rule("/", "index", index)
    if "blueprint_not_registered" not in app.config["FAULTS"]:
        app.register_blueprint(api, url_prefix="/api")
    app.register_error_handler(404, lambda e: (jsonify(error="not found"), 404))
    return app
