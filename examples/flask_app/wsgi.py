"""gunicorn entry point: ``gunicorn wsgi:app``."""
from flask_app import create_app

app = create_app()
