"""init's decisions that only the app's interpreter can settle, asked in a subprocess.

The URL form each database variable gets (the driver installed there: ``harness.init.driver``)
and the models' metadata proven by effect: ``helpers/describe_models.py`` loads it as
models-match will, with the app's variables filled with an address where nothing listens
(settings that raise at import when a variable is missing still import). A metadata with no
tables gets the modules that define mapped classes added to ``models_import``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from harness.config.app import AppSpec
from harness.errors import AppCodeError
from harness.init.driver import choose_drivers
from harness.init.models_import import definers, model_modules
from harness.init.source import Findings
from harness.stack.appcode import NO_DATABASE_URL, AppCode, database_variables


def settle(found: Findings) -> list[str]:
    """Rewrite ``found`` where the app's interpreter says otherwise; the TODO lines."""
    python = found.python or Path(sys.executable)
    todo = choose_drivers(found.database_env, python, found.app_dir, found.env_py)
    return todo + verify_models(found, python)


def app_code(found: Findings, python: Path) -> AppCode:
    spec = AppSpec(
        dir=found.app_dir,
        python=str(python),
        database_env=found.database_env or {"DATABASE_URL": "{url}"},
        env=found.env,
    )
    return AppCode(spec)


def probe_variables(found: Findings) -> dict[str, str]:
    """The app's variables for init's import of it (the route probe): the database ones
    filled with the no-database address, and the placeholders of required settings. Braces
    doubled: the probe formats each value as a template."""
    values = database_variables(found.database_env, NO_DATABASE_URL) | found.env
    return {name: value.replace("{", "{{").replace("}", "}}") for name, value in values.items()}


def verify_models(found: Findings, python: Path) -> list[str]:
    if not found.models:
        return []
    code = app_code(found, python)
    tables, error = _tables(code, found.models, found.models_import, found.models_path)
    if tables:
        return []
    own = found.models.split(":")[0]
    extra = [m for m in model_modules(found.app_dir) if m not in found.models_import and m != own]
    if extra:
        more, more_error = _tables(code, found.models, found.models_import + extra, found.models_path)
        if more:
            found.models_import += extra
            return []
        error = error or more_error
    if _elsewhere(found, code):
        return []
    why = f"loading it failed: {error}" if error else "it has no tables"
    line = (
        f"models: {found.models} in {python} — {why}; set [database] models_import to the "
        "modules that define the models (or models to a metadata that has them)"
    )
    return [line]


def _elsewhere(found: Findings, code: AppCode) -> bool:
    """The same metadata from the module that defines its root (``app:db.metadata`` for
    ``models:db.metadata``), alone and then with the model modules: a model module that
    imports the app first cannot be loaded on its own (a circular import), the module that
    defines ``db`` and imports the models can. True, with ``found`` rewritten, when one
    loads with tables."""
    module, _, attribute = str(found.models).partition(":")
    models = model_modules(found.app_dir)
    for definer in definers(found.app_dir, attribute.split(".")[0]):
        if definer == module:
            continue
        spec = f"{definer}:{attribute}"
        for imports in ([], [m for m in models if m != definer]):
            if _tables(code, spec, imports, found.models_path)[0]:
                found.models, found.models_import = spec, imports
                return True
    return False


def _tables(
    code: AppCode, models: str, imports: list[str], paths: Sequence[Path] = ()
) -> tuple[int, str | None]:
    """How many tables the metadata holds once loaded, or the error line that stopped it."""
    env = code.environment(NO_DATABASE_URL)
    if paths:  # a src/ layout's source folder, as models-match will load them
        env["PYTHONPATH"] = ":".join(str(p) for p in paths)
    try:
        answer = code.helper("describe_models", [models, *imports], env, timeout_s=120)
    except AppCodeError as exc:
        return 0, getattr(exc, "error_line", None) or exc.one_line()
    return len(answer.get("tables", {})), None
