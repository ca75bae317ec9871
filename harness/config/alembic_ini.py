"""Reading an alembic.ini the way the alembic CLI does, without importing the app.

Two things real repositories do that ``Config(ini)`` alone misses: an ini with no
``[alembic]`` section, only named ones (``[alembic:dev]``, used with ``alembic -n``), and
``script_location = package:path``, which Alembic resolves by importing the package (the
harness process must not: it finds the package's folder on disk instead).
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable
from pathlib import Path

MAIN = "alembic"


def read_ini(ini: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ini, encoding="utf-8")
    return parser


def ini_section(ini: Path) -> str:
    """The section alembic reads: ``[alembic]`` when it names a script_location (or no
    section does), else the first section that does (``alembic -n NAME``)."""
    try:
        parser = read_ini(ini)
    except (configparser.Error, OSError, UnicodeDecodeError):
        return MAIN
    if parser.has_option(MAIN, "script_location"):
        return MAIN
    named = [s for s in parser.sections() if parser.has_option(s, "script_location")]
    return named[0] if named else MAIN


def ini_option(ini: Path, option: str) -> str | None:
    """``option`` of the section alembic reads, with ``%(here)s`` filled in."""
    try:
        parser = read_ini(ini)
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    section = ini_section(ini)
    if not parser.has_option(section, option):
        return None
    return parser.get(section, option).strip().replace("%(here)s", str(ini.parent))


def is_package_location(location: str) -> bool:
    """``package:path`` (not a Windows drive, not an absolute path)."""
    head, colon, _ = location.partition(":")
    return bool(colon) and not Path(location).is_absolute() and len(head) > 1


def package_folder(location: str, bases: Iterable[Path]) -> Path | None:
    """The folder ``package:path`` names, found on disk under one of ``bases`` (the app's
    folder, its ``src/``): where the package would import from when run there."""
    package, _, sub = location.partition(":")
    relative = Path(*package.split("."))
    for base in bases:
        folder = base / relative
        if folder.is_dir():
            target = folder / sub if sub else folder
            if target.is_dir():
                return target
    return None
