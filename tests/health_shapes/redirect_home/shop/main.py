"""Every cheap page but one needs a login: ``/`` redirects to it (as a Flask app's
``@login_required`` home does), and the login page answers 200 with HTML."""

import os

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
app = FastAPI()


def logged_in(request: Request) -> bool:
    return "session" in request.cookies


@app.get("/")
def home(request: Request):
    if not logged_in(request):
        return RedirectResponse("/auth/login?next=/", status_code=302)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM item")).scalar_one()
    return HTMLResponse(f"<p>{count} items</p>")


@app.get("/auth/login", response_class=HTMLResponse)
def login_page() -> str:
    return "<form method='post'><input name='username'></form>"
