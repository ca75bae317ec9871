"""A user's machine, in small: this package built as a wheel and installed (non-editable,
with ``[local]``) into a fresh venv, and example apps copied outside the repository, each
with a venv of its own. Built once per test session.

The venvs are made with uv where it is installed (the dev extra has it): the same packages
from the same registry as pip, in about 2 s instead of 15–30 s a venv, which was most of the
three ``init`` tests' two minutes. Without uv, or where uv cannot reach the index (it reads
no pip.conf), plain ``venv`` + pip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_SKIP = shutil.ignore_patterns(".venv", "__pycache__", "*.pyc", "targets.toml", "reports")


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return done


def _uv() -> str | None:
    beside = Path(sys.executable).with_name("uv")  # the dev venv's, when it is not on PATH
    return str(beside) if beside.is_file() else shutil.which("uv")


def _uv_venv(uv: str, venv: Path, requirements: tuple[str | Path, ...]) -> bool:
    """uv reads no pip.conf: where only pip knows the package index, this fails."""
    for command in (
        (uv, "venv", "-q", "--python", sys.executable, venv),
        (uv, "pip", "install", "-q", "--python", venv / "bin" / "python", *requirements),
    ):
        if (
            subprocess.run([str(c) for c in command], capture_output=True, check=False).returncode
            != 0
        ):
            shutil.rmtree(venv, ignore_errors=True)
            return False
    return True


def make_venv(venv: Path, *requirements: str | Path) -> Path:
    """A fresh venv at ``venv`` holding ``requirements`` (pip arguments); its bin/ folder."""
    uv = _uv()
    if not (uv and _uv_venv(uv, venv, requirements)):
        _run(sys.executable, "-m", "venv", venv)
        _run(venv / "bin" / "pip", "install", "-q", *requirements)
    return venv / "bin"


@pytest.fixture(scope="session")
def world() -> Iterator[Path]:
    """Not under pytest's 0700 tmp folder: as root, PostgreSQL runs as another user, who
    must reach the wheel's initdb inside the venv and its cluster's folder."""
    path = Path(tempfile.mkdtemp(prefix="hvp-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def wheel(world: Path) -> Path:
    """This package built as a wheel, once per session."""
    base = world / "installed"
    source = base / "src"  # a clean copy: the wheel must not depend on this checkout's state
    shutil.copytree(REPO / "harness", source / "harness", ignore=_SKIP)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", base / "dist", source)
    return next((base / "dist").glob("staging_harness-*.whl"))


@pytest.fixture(scope="session")
def install_harness(wheel: Path) -> Callable[[Path], Path]:
    """``install_harness(app)``: the bin/ folder of ``app/.hv``, a fresh venv holding only
    ``staging-harness[local]``, inside the app's folder as README's quickstart has it (pytest
    collects that folder, venv and all: the suites must be found inside the venv, and only
    they)."""

    def install(app: Path) -> Path:
        return make_venv(app / ".hv", f"{wheel}[local]")

    return install


@pytest.fixture(scope="session")
def app_copy(world: Path) -> Callable[[str], Path]:
    """``app_copy("template_app")``: the example copied to a fresh folder with its own
    ``.venv`` (its pyproject.toml, or requirements.txt), built once per session."""
    built: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in built:
            folder = world / "apps" / name
            shutil.copytree(REPO / "examples" / name, folder, ignore=_SKIP)
            if (folder / "pyproject.toml").is_file():
                make_venv(folder / ".venv", folder)
            else:
                make_venv(folder / ".venv", "-r", folder / "requirements.txt")
            built[name] = folder
        return built[name]

    return make


@pytest.fixture(scope="session")
def venv_maker() -> Callable[..., Path]:
    """``make_venv`` itself, for a test that puts an app's venv where its repository keeps it
    (a uv workspace's root, say)."""
    return make_venv


SHAPES = REPO / "tests" / "init_shapes"


@pytest.fixture(scope="session")
def shape_copy(world: Path) -> Callable[[str], Path]:
    """``shape_copy("settings_parts")``: a synthetic app of ``tests/init_shapes`` copied to a
    fresh folder with its own ``.venv`` from its requirements.txt, built once per session."""
    built: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in built:
            folder = world / "shapes" / name
            shutil.copytree(SHAPES / name, folder, ignore=_SKIP)
            make_venv(folder / ".venv", "-r", folder / "requirements.txt")
            built[name] = folder
        return built[name]

    return make
