"""The Alembic script directory's heads and revisions, as JSON (run in the app's interpreter).

Usage: python alembic_scripts.py ALEMBIC_INI   (cwd: the app's folder)
Used when a revision file cannot be loaded in the harness's own process (it imports the app's
modules): here the app's packages and ``prepend_sys_path`` are what the alembic CLI would see.
"""

import json
import os
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]

from alembic.config import Config
from alembic.script import ScriptDirectory


def main(argv: list[str]) -> int:
    script = ScriptDirectory.from_config(Config(argv[0], ini_section=os.environ.get("HV_ALEMBIC_SECTION", "alembic")))
    revisions = {}
    for rev in script.walk_revisions():
        down = rev.down_revision
        revisions[rev.revision] = (
            list(down) if isinstance(down, tuple) else ([down] if down else [])
        )
    answer = {"dir": script.dir, "heads": sorted(script.get_heads()), "revisions": revisions}
    print("HV-JSON:" + json.dumps(answer), flush=True)
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
