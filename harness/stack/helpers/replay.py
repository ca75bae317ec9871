"""Replay an app's migrations into the throwaway database (run in the app's interpreter).

Usage: python replay.py ALEMBIC_INI REVISION [REVISION ...]   (cwd: the app's folder)
The throwaway URL comes in the environment as HV_REPLAY_URL, never on the command line. It is
handed to env.py every way Alembic offers (sqlalchemy.url, -x url=, and the app's own
variables, which the harness has already mapped); an env.py that still goes elsewhere is
caught afterwards by the harness, which looks for the version table where it should be.
Imports only the stdlib and Alembic: this file runs where the harness is not installed.
"""

import importlib.util
import json
import os
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p != HERE]

from alembic import command
from alembic.config import Config

_spec = importlib.util.spec_from_file_location("_hv_appalembic", os.path.join(HERE, "_appalembic.py"))
appalembic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(appalembic)


def main(argv: list[str]) -> int:
    ini, revisions = argv[0], argv[1:]
    url = os.environ.pop("HV_REPLAY_URL")
    sys.path.insert(0, os.getcwd())  # as the alembic CLI run from this folder would see it
    config = Config(ini, ini_section=os.environ.get("HV_ALEMBIC_SECTION", "alembic"))
    appalembic.point_at(config, url)
    for revision in revisions:
        command.upgrade(config, revision)
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
