"""What the installed plugin brings with it: the built-in suites and checklists.

The harness is loaded by its ``pytest11`` entry point in any venv it is installed into, so
it must stay out of the way of test runs that did not ask for it: it does something only
when ``--target`` is given (or ``harness_target`` is set in the ini file). Then the suites
shipped in ``harness/suites`` join the collection, unless the command line names what to
run (``pytest --target=local tests/test_mine.py`` runs just that, as pytest always does) or
the ini file says ``harness_builtin_suites = false``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from _pytest.config import Config

from harness.plugin.paths import project_dir
from harness.report.checklist import DEFAULT_CHECKLISTS_DIR

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SUITES_DIR = PACKAGE_DIR / "suites"
PACKAGED_CHECKLISTS_DIR = PACKAGE_DIR / "checklists"


def add_options(parser: pytest.Parser) -> None:
    parser.addini("harness_target", "target profile used when --target is not given", default="")
    parser.addini(
        "harness_builtin_suites",
        "collect the suites shipped in the package when a target is given",
        type="bool",
        default=True,
    )


def target_name(config: pytest.Config) -> str | None:
    """The target this run verifies, or None: the harness was not asked to run."""
    return config.getoption("target") or config.getini("harness_target") or None


def deactivate(config: pytest.Config, plugin: object) -> None:
    """Unregister the plugin and its parts: a run without a target is someone else's."""
    manager = config.pluginmanager
    # Every part it loads (its own pytest_plugins), so a part added later is covered too.
    for name in getattr(plugin, "pytest_plugins", ()):
        part = sys.modules.get(name)
        if part is not None and manager.is_registered(part):
            manager.unregister(part)
    manager.unregister(plugin)


def add_builtin_suites(config: pytest.Config) -> None:
    """Append ``harness/suites`` to what pytest collects (see the module docstring)."""
    if not config.getini("harness_builtin_suites"):
        return
    if config.args_source == Config.ArgsSource.ARGS:
        return
    if any(_covers(Path(config.invocation_params.dir, arg), SUITES_DIR) for arg in config.args):
        return
    config.args.append(str(SUITES_DIR))
    config.pluginmanager.register(_SuitesInsideVenv(), "harness-builtin-suites")


class _SuitesInsideVenv:
    """A venv inside the folder pytest collects (``./.venv``, ``./.hv``) holds the suites:
    pytest drops the suites argument as overlapping ``.``, then skips the venv as a venv, and
    nothing is collected. Open the one path down to the suites; the rest stays closed."""

    def __init__(self) -> None:
        self.prefix = Path(os.path.realpath(sys.prefix))
        self.route = {SUITES_DIR, *SUITES_DIR.parents}

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        if not SUITES_DIR.is_relative_to(self.prefix):
            return None
        # Its folder resolved, not itself: a lib64 -> lib link would collect the suites twice.
        path = Path(os.path.realpath(collection_path.parent), collection_path.name)
        if not path.is_relative_to(self.prefix) or path.is_relative_to(SUITES_DIR):
            return None
        return path not in self.route


def _covers(arg: Path, suites: Path) -> bool:
    path = Path(str(arg).split("::")[0]).resolve()
    # Only the suites themselves: a parent folder (an app repo holding its .venv) would not
    # recurse into site-packages, and pytest drops a file collected twice anyway.
    return path == suites or suites in path.parents


def checklists_dir(config: pytest.Config) -> Path:
    """The ini's folder if it was set or exists beside the project; else the packaged one
    (an app's repo has no checklists/ of its own)."""
    value = config.getini("harness_checklists_dir")
    path = Path(value)
    path = path if path.is_absolute() else project_dir(config) / path
    if value != DEFAULT_CHECKLISTS_DIR or path.is_dir():
        return path
    return PACKAGED_CHECKLISTS_DIR
