"""Corpus gaps 4 and 5, read in the app's own interpreter (init's real path: ``detect``
then ``settle``, which asks the app's venv), on synthetic shapes of tests/init_shapes with
a venv from their requirements.txt.

- circular_models: ``models.py`` imports ``db`` from ``app.py``, which imports the models
  last. ``models:db.metadata`` cannot load (circular import); init keeps the candidate that
  loads with tables, ``app:db.metadata``.
- composed_uri: pydantic-settings composes ``postgresql+asyncpg://`` from ``POSTGRES_*``
  parts in a validator when ``SQLALCHEMY_DATABASE_URI`` is unset. The parts are mapped and
  the URI gets the driver form the app composes (``{url_asyncpg}``), never the plain
  ``{url}`` (which means a driver the venv lacks): the app then imports.

Slow (a venv per shape): marked ``stack``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_init_settings_shapes import _init_checked

from harness.init.app_probe import ProbeFailed, probe_app
from harness.init.detect import Findings, detect
from harness.init.settle import probe_variables, settle

pytestmark = pytest.mark.stack


def _found(app: Path) -> Findings:
    found = detect(app)
    assert found.python == app / ".venv" / "bin" / "python", found.python
    return found


def test_models_that_import_the_app_first_load_from_the_app(
    shape_copy: Callable[[str], Path],
) -> None:
    found = _found(shape_copy("circular_models"))
    assert found.models == "models:db.metadata"  # what the source alone suggests
    todo = settle(found)
    assert found.models == "app:db.metadata", (found.models, todo)
    assert not [line for line in todo if line.startswith("models:")], todo


def test_a_model_module_that_loads_alone_is_kept(
    shape_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """Control: the same app without the circle (app.py imports no model) keeps models.py."""
    app = tmp_path / "app"
    shutil.copytree(shape_copy("circular_models"), app, symlinks=True)
    source = (app / "app.py").read_text()
    (app / "app.py").write_text(source.replace("from models import Note", "Note = None"))
    found = _found(app)
    assert settle(found) == [] and found.models == "models:db.metadata"


def test_a_composed_uri_gets_the_driver_form_the_app_composes(
    shape_copy: Callable[[str], Path],
) -> None:
    app = shape_copy("composed_uri")
    found = _found(app)
    assert settle(found) == []
    assert found.database_env["SQLALCHEMY_DATABASE_URI"] == "{url_asyncpg}", found.database_env
    assert found.database_env["POSTGRES_SERVER"] == "{host}"  # the parts are mapped too
    # The app imports with what init will write (its engine is made at import).
    served = probe_app(found.python, app, str(found.asgi), probe_variables(found))
    assert "GET /api/parts" in {str(route) for route in served.routes}


def test_the_plain_url_in_a_composed_uri_stops_the_app_importing(
    shape_copy: Callable[[str], Path],
) -> None:
    """Control: what init wrote before (``{url}``) names psycopg2, not in the venv."""
    app = shape_copy("composed_uri")
    found = _found(app)
    found.database_env["SQLALCHEMY_DATABASE_URI"] = "{url}"
    with pytest.raises(ProbeFailed, match="psycopg2"):
        probe_app(found.python, app, str(found.asgi), probe_variables(found))


@pytest.mark.parametrize(
    ("name", "database"),
    [
        ("circular_models", {"models": "app:db.metadata"}),
        ("composed_uri", {"models": "stock.models:Base.metadata"}),
    ],
)
def test_init_then_run_is_green(request: pytest.FixtureRequest, name: str, database: dict) -> None:
    """The whole path: ``init --yes`` (its own check run exits 0, models-match passing), a
    second init changes nothing, with zero hand edits."""
    _, _, local = _init_checked(name, request)
    assert local["database"]["models"] == database["models"], local["database"]
