"""``python -m alembic ARGS`` as the app's team types it, pointed at the harness's database.

Usage: python alembic_cli.py ARGS...   (cwd: the app's folder; ARGS as for ``alembic``)
The stack runs a migrate step written ``{python} -m alembic …`` through this file: Alembic's
own command line (``-c``, ``-n``, ``-x``, every command), with the configuration it builds
handed the harness's database (HV_ALEMBIC_URL, never on the command line) every way Alembic
offers, as the schema-drift replay does. An env.py that reads alembic.ini's ``sqlalchemy.url``
(a compose host such as ``db``) then migrates the harness's database, not an unreachable one.
Imports only the stdlib and Alembic.
"""

import importlib.util
import os
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p != HERE]
sys.path.insert(0, os.getcwd())  # as `python -m alembic` run from the app's folder sees it

from alembic.config import CommandLine

_spec = importlib.util.spec_from_file_location("_hv_appalembic", os.path.join(HERE, "_appalembic.py"))
appalembic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(appalembic)


class _PointedCommandLine(CommandLine):
    """Alembic's command line; each command's configuration names the harness's database."""

    url = ""

    def run_cmd(self, config, options) -> None:
        if self.url:
            appalembic.point_at(config, self.url)
        super().run_cmd(config, options)


def main(argv: list[str]) -> int:
    cli = _PointedCommandLine(prog="alembic")
    cli.url = os.environ.pop("HV_ALEMBIC_URL", "")
    cli.main(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
