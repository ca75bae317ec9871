"""The web app (gunicorn blog:app)."""
from board import create_app

app = create_app()
