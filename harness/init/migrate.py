"""How the app migrates: alembic (any ``script_location`` form, named ini sections) or
Flask-Migrate, the deploy's prestart script, and the step that only pretends to migrate.

``script_location`` takes every form Alembic accepts: relative (to the folder alembic runs
from, the app's folder here), ``%(here)s/…``, absolute, and ``package:path`` (found on disk,
else asked of the APP's interpreter: the harness's own cannot import the app's packages). A
Flask-Migrate folder (``flask db init``) has no script_location: its env.py takes the
database from ``current_app``, so the steps run through ``flask db`` in the app's context.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness.config.alembic_ini import (
    MAIN,
    ini_option,
    ini_section,
    is_package_location,
    package_folder,
)

_FIND_PACKAGE = (
    "import importlib.util, os, sys; sys.path.insert(0, os.getcwd()); "
    "spec = importlib.util.find_spec(sys.argv[1]); print(list(spec.submodule_search_locations)[0])"
)
_CREATE_ALL = re.compile(r"\bcreate_all\s*\(")
_STAMP = re.compile(r"\bstamp\b")
_UPGRADE = re.compile(r"\b(alembic|db)\s+upgrade\b")
# Flask-Migrate's upgrade, made concrete by the profile (``flask --app WSGI`` or FLASK_APP).
FLASK_UPGRADE = ["{flask}", "db", "upgrade"]


@dataclass
class Migrations:
    env_py: Path | None = None
    tool: str = "alembic"  # or "flask": Flask-Migrate's env.py needs the app context
    section: str = MAIN
    migrate: list[list[str]] | None = None  # None: the profile's default for the tool
    todo: list[str] = field(default_factory=list)


def read_migrations(
    ini: Path, app_dir: Path, python: Path | None, repo: Path, files: list[Path]
) -> Migrations:
    """``files``: the app's own modules (no venvs, no revision files)."""
    found = Migrations(section=ini_section(ini))
    folder, problem = script_folder(ini, app_dir, python)
    if problem:
        found.todo.append(problem)
    env_py = folder / "env.py" if folder else None
    found.env_py = env_py if env_py and env_py.is_file() else None
    if found.env_py and "current_app" in _read(found.env_py):
        found.tool = "flask"
    upgrade = (
        FLASK_UPGRADE if found.tool == "flask" else alembic_upgrade(ini, app_dir, found.section)
    )
    steps, stamped = prestart_steps(app_dir, repo, upgrade)
    has_revisions = bool(folder and any((folder / "versions").glob("*.py")))
    where = list(stamped.values())
    where += [w for w in stamping_modules(files, repo) if w.split(":")[0] not in str(where)]
    if where:
        found.todo.append(_stamp_todo(where, has_revisions))
        if has_revisions:
            steps = _upgrade_instead(steps, stamped, upgrade)
    found.migrate = (
        None if found.tool == "flask" and steps in ([], [upgrade]) else (steps or [upgrade])
    )
    return found


def script_folder(ini: Path, app_dir: Path, python: Path | None) -> tuple[Path | None, str | None]:
    """The scripts folder and, when it cannot be found, the TODO saying why."""
    location = ini_option(ini, "script_location")
    if location is None:  # Flask-Migrate's layout: the ini sits in the scripts folder
        return (ini.parent, None) if (ini.parent / "env.py").is_file() else (None, None)
    if is_package_location(location):
        folder = package_folder(location, (app_dir, app_dir / "src", ini.parent))
        return (folder, None) if folder else _ask_for_package(location, app_dir, python)
    folder = Path(location) if Path(location).is_absolute() else app_dir / location
    if folder.is_dir():
        return folder, None
    beside = ini.parent / location
    if beside.is_dir():  # alembic resolves it from where it runs, which is the app's folder here
        return beside, (
            f"alembic.ini's script_location = {location} is relative to the folder alembic runs "
            f"from, but the app runs from {app_dir}: write script_location = %(here)s/{location} "
            "in alembic.ini, or set [app] dir to the folder alembic runs from"
        )
    return None, f"alembic.ini's script_location = {location} does not exist: fix it in alembic.ini"


def _ask_for_package(
    location: str, app_dir: Path, python: Path | None
) -> tuple[Path | None, str | None]:
    package, _, sub = location.partition(":")
    if python is None:
        return None, (
            f"script_location = {location}: the package {package} was not found under "
            f"{app_dir}, and the app's interpreter is unknown to ask: set [app] python"
        )
    try:
        done = subprocess.run(
            [str(python), "-c", _FIND_PACKAGE, package], cwd=app_dir, capture_output=True,
            text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"script_location = {location}: could not ask {python}: {exc}"
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines and Path(lines[-1], sub).is_dir():
        return Path(lines[-1], sub), None
    why = (done.stderr.strip().splitlines() or ["not found"])[-1]
    return None, f"script_location = {location}: {python} cannot find the package {package} ({why})"


def alembic_upgrade(ini: Path, app_dir: Path, section: str) -> list[str]:
    """``alembic upgrade head`` as the team types it from the app's folder."""
    parts = ["{python}", "-m", "alembic"]
    if ini.parent.resolve() != app_dir.resolve():
        parts += ["-c", os.path.relpath(ini, app_dir)]
    if section != MAIN:
        parts += ["-n", section]
    return [*parts, "upgrade", "head"]


def prestart_steps(
    app_dir: Path, repo: Path, upgrade: list[str]
) -> tuple[list[list[str]], dict[int, str]]:
    """The deploy's prestart script's ``python -m`` and migrate lines, in order, and which of
    them (index -> file:line) create the tables and stamp head instead of migrating."""
    scripts: list[Path] = []
    for folder in dict.fromkeys((app_dir, repo)):
        scripts += sorted(folder.glob("scripts/prestart*.sh")) + sorted(folder.glob("prestart*.sh"))
    for script in scripts:
        steps: list[list[str]] = []
        stamped: dict[int, str] = {}
        for number, line in enumerate(_read(script).splitlines(), 1):
            step, stamps = _step(line, app_dir, upgrade)
            if step is None:
                continue
            if stamps:
                stamped[len(steps)] = f"{script.relative_to(repo)}:{number}"
            steps.append(step)
        if steps:
            return steps, stamped
    return [], {}


def _step(line: str, app_dir: Path, upgrade: list[str]) -> tuple[list[str] | None, bool]:
    """One prestart line as a migrate command (None: not one), and whether it stamps."""
    if line.lstrip().startswith("#"):
        return None, False
    module = re.search(r"-m\s+([\w.]+)", line)
    if _STAMP.search(line) and re.search(r"\b(alembic|db)\b", line):
        return [*upgrade[: upgrade.index("upgrade")], "stamp", "head"], True
    if _UPGRADE.search(line) or (module and module.group(1) == "alembic"):
        return list(upgrade), False
    if module and not module.group(1).endswith("pre_start"):  # pre_start waits for the DB
        return ["{python}", "-m", module.group(1)], _stamps(_module_file(module.group(1), app_dir))
    return None, False


def _upgrade_instead(
    steps: list[list[str]], stamped: dict[int, str], upgrade: list[str]
) -> list[list[str]]:
    """The stamping steps replaced by one real ``upgrade head``."""
    out: list[list[str]] = []
    for index, step in enumerate(steps):
        step = list(upgrade) if index in stamped else step
        if step not in out:
            out.append(step)
    return out or [upgrade]


def stamping_modules(files: list[Path], repo: Path) -> list[str]:
    """App modules that both ``create_all`` and stamp head (at start-up, or a seed script)."""
    found = []
    for path in files:
        text = _read(path)
        if _stamps_text(text):
            line = next(i for i, ln in enumerate(text.splitlines(), 1) if _STAMP.search(ln))
            found.append(f"{path.relative_to(repo)}:{line}")
    return found


def _stamps(path: Path | None) -> bool:
    return path is not None and _stamps_text(_read(path))


def _stamps_text(text: str) -> bool:
    return bool(_CREATE_ALL.search(text)) and bool(
        re.search(r"(command\.stamp\s*\(|\bstamp\s*\(|alembic\s+stamp|db\s+stamp)", text)
    )


def _module_file(module: str, app_dir: Path) -> Path | None:
    base = app_dir.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py", base / "__main__.py"):
        if path.is_file():
            return path
    return None


def _stamp_todo(where: list[str], has_revisions: bool) -> str:
    instead = (
        "init migrates with `alembic upgrade head` (the revision files) instead"
        if has_revisions
        else "there are no revision files to run instead"
    )
    return (
        f"the deploy builds the tables with create_all and stamps head ({', '.join(where)}) "
        "instead of running the migrations: drift and head cannot be trusted on a database "
        f"built that way; {instead}"
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
