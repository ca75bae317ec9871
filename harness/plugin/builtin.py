"""What the installed plugin brings with it: the built-in suites and checklists.

The harness is loaded by its ``pytest11`` entry point in any venv it is installed into, so
it must stay out of the way of test runs that did not ask for it: it does something only
when ``--target`` is given (or ``harness_target`` is set in the ini file). Then it collects the
suites shipped in ``harness/suites``: alone when the command line names no test path (the
app's testpaths and conftests stay out, harness.plugin.isolation), beside what it names
otherwise (``pytest --target=local tests/test_mine.py``: the user's own checklist tests),
and only what it names when that is (part of) the suites. ``harness_builtin_suites = false``
in the ini file turns all of this off: the run collects what pytest would.
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


def add_builtin_suites(config: pytest.Config, *, isolated: bool) -> None:
    """What a target run collects (see the module docstring and harness.plugin.isolation)."""
    # A module or conftest that cannot be imported never stops a verification: the rest runs
    # and the report names it (harness.plugin.checklist.CollectionWatch).
    config.option.continue_on_collection_errors = True
    if not config.getini("harness_builtin_suites"):
        return
    if isolated:  # no test path named: the suites alone, not the ini's testpaths or "."
        config.args[:] = [str(SUITES_DIR)]
        config.args_source = Config.ArgsSource.ARGS  # else the header shows the app's testpaths
        return
    if any(_covers(Path(config.invocation_params.dir, arg), SUITES_DIR) for arg in config.args):
        return
    # Paths named beside: the user's own checklist tests join the suites.
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
