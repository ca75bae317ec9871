"""Replay a Flask-Migrate app's migrations into the throwaway database, inside the app's
context (its env.py reads ``current_app.extensions['migrate']``), as ``flask db upgrade`` does.

Usage: python flask_replay.py APP_IMPORT REVISION [REVISION ...]   (cwd: the app's folder)
APP_IMPORT is what ``flask --app`` takes ("module:create_app()"). The app reads its database
from its own variables, which the harness has mapped to the throwaway database; HV_REPLAY_URL
is only removed here, so nothing the app imports can read it. The harness checks afterwards
that the version table is where it should be. Imports only the stdlib, Flask and Flask-Migrate.
"""

import json
import os
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]

from flask.cli import ScriptInfo
from flask_migrate import upgrade


def main(argv: list[str]) -> int:
    app_import, revisions = argv[0], argv[1:]
    os.environ.pop("HV_REPLAY_URL", None)
    sys.path.insert(0, os.getcwd())  # as flask --app run from this folder would see it
    app = ScriptInfo(app_import_path=app_import, set_debug_flag=False).load_app()
    with app.app_context():
        for revision in revisions:
            upgrade(revision=revision)
    print("HV-JSON:" + json.dumps({"replayed": revisions}), flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # The answer is out: skip the interpreter's teardown of every module the app imported
    # (about a second on a loaded machine, paid by every check that waits for this process).
    # Nothing is left for it to do: the app's migrations committed, the harness's throwaway
    # databases are dropped WITH (FORCE), stderr is line-buffered; a raised error exits normally.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
