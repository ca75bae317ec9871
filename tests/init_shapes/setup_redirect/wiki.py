import os

from flask import Flask, redirect, request, url_for

app = Flask(__name__)
SETUP_FLAG = os.environ.get("WIKI_SETUP_DONE_FILE", "/nonexistent/wiki-setup-done")


@app.before_request
def require_setup():
    if not os.path.exists(SETUP_FLAG) and request.endpoint not in ("setup", "static"):
        return redirect(url_for("setup"))
    return None


@app.get("/setup")
def setup():
    return "<h1>Create the first administrator</h1>"


@app.get("/")
def index():
    return "<h1>Wiki</h1>"
