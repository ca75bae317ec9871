"""Run an app's migrations one command at a time, as the harness asks (in the app's interpreter).

Usage: python migrate_steps.py ALEMBIC_INI [--flask APP_IMPORT]   (cwd: the app's folder)
Answers ``HV-JSON:{"ready": true}`` once the app's Alembic configuration is loaded, then reads
one command per line on stdin (``upgrade REV`` or ``downgrade REV``; anything else ends it) and
answers each with one line: ``HV-JSON:{"ok": true}`` or ``{"ok": false, "output": TRACEBACK}``.
Between two commands the harness looks at the database (version table, catalog). One process
for every step: the app's imports are paid once, not once per step.

The throwaway database's URL comes as HV_STEPS_URL (never on the command line) and is handed
to env.py every way Alembic offers; the app's own variables are already mapped to it. A
Flask-Migrate app runs inside its app context, as ``flask db`` does. Imports only the stdlib
and Alembic (Flask only for a Flask-Migrate app).
"""

import argparse
import importlib.util
import json
import os
import sys
import traceback

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p != HERE]

from alembic import command
from alembic.script import ScriptDirectory

_spec = importlib.util.spec_from_file_location("_hv_appalembic", os.path.join(HERE, "_appalembic.py"))
appalembic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(appalembic)


def read_scripts_once() -> None:
    """Every command builds its ScriptDirectory anew, which executes every revision file again:
    a round trip over N revisions (3N commands) would execute them 3N² times. The files do not
    change between two steps, so each config's directory is read once; env.py still runs anew
    for every command, as ``alembic`` runs it."""
    cache: dict[int, ScriptDirectory] = {}
    read = ScriptDirectory.from_config.__func__

    def from_config(cls, config, *args, **kwargs):
        if args or kwargs:
            return read(cls, config, *args, **kwargs)
        if id(config) not in cache:
            cache[id(config)] = read(cls, config)
        return cache[id(config)]

    ScriptDirectory.from_config = classmethod(from_config)


def answer(value: dict) -> None:
    print("HV-JSON:" + json.dumps(value), flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("ini")
    parser.add_argument("--flask")
    args = parser.parse_args(argv)
    url = os.environ.pop("HV_STEPS_URL", "")
    config = appalembic.app_config(args.ini, args.flask)
    read_scripts_once()
    if url and not args.flask:  # Flask-Migrate's env.py takes the URL from the app itself
        appalembic.point_at(config, url)
    answer({"ready": True})
    for line in sys.stdin:
        verb, _, revision = line.strip().partition(" ")
        if verb not in ("upgrade", "downgrade") or not revision:
            break
        try:
            getattr(command, verb)(config, revision)
        except (Exception, SystemExit):  # noqa: BLE001  the step's failure is the finding
            answer({"ok": False, "output": traceback.format_exc()[-12000:]})
            continue
        answer({"ok": True})
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
