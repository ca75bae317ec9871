"""Shapes the corpus of public backends showed init reading wrongly (docs/corpus.md, "Gaps
found"), as small synthetic apps in tests/corpus_shapes/ (no code of those repositories).
Static detection only: no venv, no app imported.

Each gap is a strict xfail until init reads its shape: the test then passes, pytest reports
XPASS as a failure, and the mark goes. A control test per shape proves the shape itself is
read (its alembic.ini, web app and settings found), so an xfail never hides a broken shape."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from harness.init.detect import detect
from harness.init.profile import Plan, render
from harness.stack.app import alembic_step

SHAPES = Path(__file__).resolve().parents[1] / "corpus_shapes"


@pytest.fixture(autouse=True)
def _no_outside_venv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))


def shape(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(SHAPES / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def local_profile(root: Path) -> dict:
    found = detect(root)
    text = render(Plan(root=root, found=found, todo=list(found.todo)))
    return tomllib.loads(text)["targets"]["local"]


@pytest.mark.parametrize(
    ("name", "inside", "asgi_module"),
    [
        ("no_metadata", ".", "app.main"),
        ("src_layout", ".", "main"),
        ("ini_url", "project", "app.main"),
        ("env_file_up", "backend", "app.main"),
    ],
)
def test_each_shape_is_read(tmp_path: Path, name: str, inside: str, asgi_module: str) -> None:
    found = detect(shape(name, tmp_path) / inside)
    assert found.alembic_ini is not None and found.env_py is not None
    assert found.asgi is not None and found.asgi.split(":")[0].endswith(asgi_module), found.asgi


def test_env_py_without_models_is_read(tmp_path: Path) -> None:
    found = detect(shape("no_metadata", tmp_path))
    assert found.models is None and found.database_env  # DATABASE_URL from the settings


def test_target_metadata_none_makes_models_match_not_applicable(tmp_path: Path) -> None:
    root = shape("no_metadata", tmp_path)
    local = local_profile(root)
    assert "target_metadata = None" in local["checks"]["not_applicable"]["models-match"]
    assert not [line for line in detect(root).todo if "[database] models" in line]


def test_target_metadata_set_later_is_not_read_as_no_models(tmp_path: Path) -> None:
    """Control: ``target_metadata = None`` replaced further down is a metadata to find."""
    root = shape("no_metadata", tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace(
        "target_metadata = None\n", "target_metadata = None\ntarget_metadata = Base.metadata\n"))
    local = local_profile(root)
    assert "models-match" not in local["checks"]["not_applicable"]


def test_src_layout_runs_from_the_repository_root(tmp_path: Path) -> None:
    repo = shape("src_layout", tmp_path)
    found = detect(repo)
    assert found.app_dir == repo
    assert not [line for line in found.todo if "script_location" in line], found.todo
    assert found.asgi == "main:app" and found.models_path == [repo / "src"], found
    local = local_profile(repo)
    assert local["app"]["dir"] == "." and local["app"]["asgi"] == "main:app"
    assert local["app"]["migrate"] == [["{python}", "-m", "alembic", "upgrade", "head"]]
    assert local["database"]["models_path"] == ["src"]


def test_a_url_in_alembic_ini_that_env_py_uses_is_overridden_by_the_migrate_step(
    tmp_path: Path,
) -> None:
    """Every migrate step is Alembic's own command line, which the stack runs pointed at the
    harness's database (tests/e2e/test_ini_url.py runs it): nothing for a person to edit."""
    local = local_profile(shape("ini_url", tmp_path) / "project")
    steps = local["app"]["migrate"]
    assert steps and all(alembic_step(["python", *step[1:]]) for step in steps), steps
    found = detect(shape("ini_url", tmp_path / "again") / "project")
    assert not [line for line in found.todo if "sqlalchemy.url" in line or "alembic.ini:" in line]


def test_required_fields_the_env_file_provides_get_no_placeholder(tmp_path: Path) -> None:
    found = detect(shape("env_file_up", tmp_path) / "backend")
    assert not {"PROJECT_NAME", "ADMIN_EMAIL"} & set(found.env), found.env
    assert not [line for line in found.todo if "PROJECT_NAME" in line], found.todo
    # The database's variables are still the harness's (the process environment wins).
    assert found.database_env["POSTGRES_SERVER"] == "{host}", found.database_env


def test_without_the_env_file_the_required_fields_get_placeholders(tmp_path: Path) -> None:
    """Control: the same settings with no file at ../.env cannot import without values."""
    root = shape("env_file_up", tmp_path)
    (root / ".env").unlink()
    found = detect(root / "backend")
    assert {"PROJECT_NAME", "ADMIN_EMAIL"} <= set(found.env), found.env
