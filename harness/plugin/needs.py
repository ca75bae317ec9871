"""Which parts of a stack this run needs: the app server only when a selected test may talk HTTP.

``pytest --target local harness/suites/test_database.py`` needs PostgreSQL and the app's
migrations, not uvicorn. The decision is taken from the command line before collection,
because under xdist the controller hands the stack's addresses to the workers at its session
start and never collects itself. A test module declares that it needs no app with a top-level
``HARNESS_NEEDS_APP = False``; it is read from the file's syntax tree, without importing it.
Anything else (a folder, a module without the declaration, a ``--pyargs`` name, nothing named so
the default suites run) starts the app as before: a run never lacks the app it needs. So does a
profile that waits for the deploy (``[deploy] expect``): the app itself says which revision serves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.config.deploy import deploy_spec
from harness.config.targets import Target

DECLARATION = "HARNESS_NEEDS_APP"


def app_needed(config: pytest.Config, target: Target | None = None) -> bool:
    """False only when every path the command line names is a module declaring it needs no app
    and ``target`` does not wait for its deploy (which asks the app its revision)."""
    if config.getoption("pyargs", False) or (target is not None and _waits_for_deploy(config, target)):
        return True
    files = [Path(config.invocation_params.dir, str(arg).split("::")[0]) for arg in config.args]
    return not files or not all(declares_no_app(path) for path in files)


def _waits_for_deploy(config: pytest.Config, target: Target) -> bool:
    override = config.getoption("deploy_expect", None)
    spec = deploy_spec(target)
    return bool(override.strip() if override is not None else (spec and spec.expect))


def declares_no_app(path: Path) -> bool:
    """``path`` is a Python file with ``HARNESS_NEEDS_APP = False`` at its top level."""
    if path.suffix != ".py" or not path.is_file():
        return False
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return False
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == DECLARATION for t in node.targets
        ):
            return isinstance(node.value, ast.Constant) and node.value.value is False
    return False
