import os

from flask import Flask
from sqlalchemy import text

from board.extensions import db, migrate


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)
    migrate.init_app(app, db)
    from board import views

    app.register_blueprint(views.bp)
    with app.app_context():  # fail at start, not at the first request, when the database is away
        db.session.execute(text("SELECT 1"))
    return app
