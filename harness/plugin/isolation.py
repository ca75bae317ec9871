"""A verification run is the harness's, not the app's test run (docs/isolation.md).

The harness is installed into the app's repository, whose pytest configuration (``testpaths``,
``conftest.py`` files, ``addopts``, ``required_plugins``, ``pythonpath``) serves the app's own
tests and their dependencies, which the harness's venv does not have. So with a target and no
test paths on the command line the run is *isolated*: before pytest imports any conftest,

- the initial paths become the built-in suites, and conftests are looked for only from the
  suites down (``confcutdir``): the rootdir's and ``tests/`` conftests are never imported;
- the ini's ``addopts`` lose their paths;
- the ini's ``pythonpath`` leaves ``sys.path`` (the app's code never runs in this process).

In every target run the app's ``required_plugins`` are not enforced (the harness needs none of
them), the ini's ``addopts`` lose the options nothing installed here defines (``--cov``
without pytest-cov, ``-n`` without xdist), ini keys of plugins missing here (``asyncio_mode``)
do not fail ``--strict-config``, and a conftest or test module that cannot be
imported is recorded and the run goes on: the report names the file and the error instead of
pytest stopping before any report. (A ``-p plugin`` in ``addopts`` that is not installed
stops pytest before this plugin loads: docs/isolation.md gives the fix.)
"""

from __future__ import annotations

import os
import shlex
import sys
import types
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from _pytest.config import ConftestImportFailure

from harness.plugin.builtin import SUITES_DIR
from harness.secrets import redact

# True when the run collects only the built-in suites (set before conftests load).
isolated_key = pytest.StashKey[bool]()
# Conftests that failed to import while pytest loaded the initial ones: {"path", "reason"}.
early_failures_key = pytest.StashKey[list[dict[str, str]]]()
parser_key = pytest.StashKey[pytest.Parser]()
# A failed import's reason is cut here, in the early list and in harness.plugin.checklist alike.
MAX_REASON = 300


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The earliest moment the plugin runs (its registration), and the last before pytest
    checks ``required_plugins``: in a target run the app's list does not apply."""
    config = pluginmanager.get_plugin("pytestconfig")
    if not isinstance(config, pytest.Config) or not _early_target(config, parser):
        return
    cache = getattr(config, "_inicache", None)  # pytest's getini cache (private, guarded)
    if isinstance(cache, dict):
        cache["required_plugins"] = []


def _early_target(config: pytest.Config, parser: pytest.Parser) -> bool:
    tokens = [
        *config.getini("addopts"),
        *shlex.split(os.environ.get("PYTEST_ADDOPTS", "")),
        *map(str, config.invocation_params.args),
    ]
    try:
        namespace = parser.parse_known_args(tokens)
        return bool(getattr(namespace, "target", None) or config.getini("harness_target"))
    except (pytest.UsageError, ValueError):
        return False  # pytest reports a bad option itself, later


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, args: list[str], parser: pytest.Parser
) -> Generator[None, Any, Any]:
    if not _target(early_config):
        return (yield)
    early_config.stash[parser_key] = parser
    if _isolates(early_config, parser):
        early_config.stash[isolated_key] = True
        _isolate(early_config)
    result = None
    try:
        result = yield
    except ConftestImportFailure as exc:
        _go_on_without(early_config, exc)
    # After the conftests: an option one of them defines is known by now.
    addopts = list(early_config.getini("addopts"))
    if args[: len(addopts)] == addopts:  # pytest put them first; the command line follows
        args[: len(addopts)] = own_addopts(addopts, parser)
    return result


def _target(config: pytest.Config) -> bool:
    option = getattr(config.known_args_namespace, "target", None)
    return bool(option or config.getini("harness_target"))


def _isolates(config: pytest.Config, parser: pytest.Parser) -> bool:
    """Isolated: the built-in suites are on and the command line names no test path (paths
    in the ini's addopts are the app's, as its testpaths are)."""
    if not config.getini("harness_builtin_suites"):
        return False
    return not _named_paths(config, parser)


def _named_paths(config: pytest.Config, parser: pytest.Parser) -> list[str]:
    named = list(config.known_args_namespace.file_or_dir or [])
    for path in parser.parse_known_args(config.getini("addopts")).file_or_dir or []:
        if path in named:
            named.remove(path)
    return named


def _isolate(config: pytest.Config) -> None:
    namespace = config.known_args_namespace
    namespace.file_or_dir = [str(SUITES_DIR)]
    namespace.confcutdir = str(SUITES_DIR)
    for path in map(str, config.getini("pythonpath")):
        while path in sys.path:
            sys.path.remove(path)


def own_addopts(addopts: list[str], parser: pytest.Parser) -> list[str]:
    """``addopts`` without its paths and without the options no installed plugin defines,
    with the value that follows such an option (``--cov pkg``, ``-n auto``)."""
    namespace, unknown = parser.parse_known_and_unknown_args(addopts)
    # argparse leaves an unknown option's separate value among the paths: dropped with them.
    dropped = [*unknown, *(namespace.file_or_dir or [])]
    kept: list[str] = []
    for token in addopts:
        if token in dropped:
            dropped.remove(token)
        else:
            kept.append(token)
    return kept


def _go_on_without(config: pytest.Config, failure: ConftestImportFailure) -> None:
    """A conftest on the path of what the command line named did not import: recorded for
    the report, and the run goes on as if it were empty (a stand-in registered under its
    name, which pytest takes for it from now on: else collection would meet it again, and
    pytest would drop every named path below it as "not found", the suites with them).
    Then the rest of the initial conftests load, each that fails the same way."""
    failures = config.stash.setdefault(early_failures_key, [])
    for _ in range(_MAX_BROKEN):
        failures.append(_conftest_failure(failure, config.rootpath))
        stand_in = types.ModuleType("conftest")
        stand_in.__file__ = str(failure.path)
        config.pluginmanager.register(stand_in, name=str(failure.path))
        try:
            config.pytest_load_initial_conftests(early_config=config)  # pytest's own loading
            return
        except ConftestImportFailure as again:
            failure = again


_MAX_BROKEN = 100  # conftests; each stands in once, so the loop ends well before


@pytest.hookimpl(wrapper=True, trylast=True)  # innermost: its "finally" runs before pytest's
def pytest_collection(session: pytest.Session) -> Generator[None, Any, Any]:
    try:
        return (yield)
    finally:
        _know_foreign_ini_keys(session.config)


def _know_foreign_ini_keys(config: pytest.Config) -> None:
    """After collection every conftest that will load has: an ini key still unknown belongs
    to an app's plugin missing here (``asyncio_mode``), and ``--strict-config`` must not
    stop a verification for it. The harness's own keys stay strict (a typo is an error)."""
    unknown = getattr(config, "_get_unknown_ini_keys", None)  # private, guarded
    parser = config.stash.get(parser_key, None)
    if not callable(unknown) or parser is None:
        return
    for key in sorted(unknown()):
        if not key.startswith("harness_"):
            parser.addini(key, "a setting of the app's own test run (not used by the harness)")


def _conftest_failure(exc: ConftestImportFailure, root: Path) -> dict[str, str]:
    """Like harness.plugin.checklist.describe_failure, so the two sightings of one broken
    conftest (here, and as its folder's collection error) are listed once."""
    cause = exc.cause
    first = (str(cause).strip().splitlines() or [""])[0]
    reason = f"{type(cause).__name__}: {first}" if first else type(cause).__name__
    return {"path": _relative(Path(exc.path), root), "reason": redact(reason)[:MAX_REASON]}


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def isolated(config: pytest.Config) -> bool:
    return config.stash.get(isolated_key, False)


def early_failures(config: pytest.Config) -> list[dict[str, str]]:
    failures: list[dict[str, str]] = config.stash.get(early_failures_key, [])
    return list(failures)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The built-in suites judge the target, not the warnings of the libraries they use: an
    app's ``filterwarnings = error`` (meant for its own tests) must not turn a deprecation in
    SQLAlchemy or an unclosed pipe into a failed checklist item. A filter mark on the item
    wins over the ini's filters; the warnings are still shown in the summary."""
    for item in items:
        if item.path.is_relative_to(SUITES_DIR):
            item.add_marker(pytest.mark.filterwarnings("default"))
