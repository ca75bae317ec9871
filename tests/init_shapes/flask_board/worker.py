"""The background worker: it builds the app only for its context, and is never served."""
from board import create_app

app = create_app()


def run() -> None:
    from rq import Worker  # the queue library is the worker's alone

    with app.app_context():
        Worker(["default"]).work()
