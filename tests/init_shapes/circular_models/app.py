import os

from flask import Flask, jsonify
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://{user}:{password}@{host}/{name}".format(
    user=os.environ["DBUSER"],
    password=os.environ["DBPASS"],
    host=os.environ["DBHOST"],
    name=os.environ["DBNAME"],
)
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
db = SQLAlchemy(app)
migrate = Migrate(app, db)

# Last, because models.py imports db from this module.
from models import Note  # noqa: E402  (the circle the app works around)


@app.get("/api/health")
def health():
    return jsonify(status="ok")


@app.get("/api/notes")
def notes():
    return jsonify([note.text for note in db.session.execute(db.select(Note)).scalars()])
