"""What an app's folder says about the database it reads, when it did not use the harness's.

Read only after the mapping failed by effect (harness.stack.mapping): the SQLite files the
app wrote since the stack started, an engine switch whose default is SQLite, a database URL
hard-coded in its source or a ``.env`` file, and whether its source names any of the variables
``[app] database_env`` fills. Plain text search, bounded; the app's code is never imported.
URLs are shown as ``scheme://…`` only (never a password).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = {
    ".git", ".hg", ".venv", "venv", ".hv", "env", "node_modules", "__pycache__", "site-packages",
    ".tox", ".nox", "reports", "dist", "build", ".mypy_cache", ".pytest_cache", ".ruff_cache",
}  # fmt: skip
SOURCE_SUFFIXES = {".py", ".ini", ".cfg", ".toml", ".env"}
SQLITE_SUFFIXES = {".db", ".sqlite", ".sqlite3", ".db3"}
MAX_FILES = 3000
MAX_BYTES = 1_000_000
MAX_DEPTH = 6

# A URL that is a value: a string literal's start or after "=" (ini, .env), not prose in a message.
URL = re.compile(r"""(?:(?<=["'=])|(?<== ))(?P<scheme>postgres(?:ql)?(?:\+\w+)?|sqlite(?:\+\w+)?)://""")
# os.getenv("DB_ENGINE", "sqlite"), environ.get("DB_ENGINE", default="sqlite"), env("X", "sqlite")
_GETENV_SWITCH = re.compile(
    r"""["'](?P<var>\w+)["']\s*,\s*(?:default\s*=\s*)?["'](?P<default>sqlite[\w+]*)["']"""
)
# a settings field: db_engine: str = "sqlite" / DB_ENGINE: Literal["sqlite", "postgres"] = "sqlite"
_FIELD_SWITCH = re.compile(r"""^\s*(?P<var>\w+)\s*:\s*[^=#]+=\s*["'](?P<default>sqlite[\w+]*)["']""")
_SWITCH_NAME = re.compile(r"ENGINE|DIALECT|BACKEND|TYPE|DRIVER|VENDOR|KIND", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """A line of the app's folder: ``file:line`` and what was found there."""

    file: str
    line: int
    found: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Findings:
    sqlite_written: tuple[str, ...]  # relative paths, newest first
    switch: Place | None  # found = the variable, e.g. DB_ENGINE
    urls: tuple[Place, ...]  # found = the scheme, e.g. sqlite
    unread: tuple[str, ...]  # the database_env variables the source never names


def look(app_dir: Path, since: float, variables: Sequence[str]) -> Findings:
    files = list(_walk(app_dir))
    sources = [path for path in files if _is_source(path)]
    texts = {path: _read(path) for path in sources}
    return Findings(
        sqlite_written=_sqlite_written(app_dir, files, since),
        switch=_first(_switches(app_dir, texts)),
        urls=tuple(_urls(app_dir, texts))[:3],
        unread=_unread(texts.values(), variables),
    )


def _walk(root: Path) -> Iterator[Path]:
    count = 0
    base_depth = len(root.parts)
    for folder, dirs, names in os.walk(root):
        depth = len(Path(folder).parts) - base_depth
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and depth < MAX_DEPTH)
        for name in sorted(names):
            count += 1
            if count > MAX_FILES:
                return
            yield Path(folder, name)


# The harness's own files in the app's repository name the variables it fills.
HARNESS_FILES = {"targets.toml", "waivers.toml"}


def _is_source(path: Path) -> bool:
    if path.name in HARNESS_FILES:
        return False
    return path.suffix in SOURCE_SUFFIXES or path.name.startswith(".env")


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _sqlite_written(root: Path, files: list[Path], since: float) -> tuple[str, ...]:
    written = []
    for path in files:
        if path.suffix not in SQLITE_SUFFIXES:
            continue
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if mtime >= since:
            written.append((mtime, str(path.relative_to(root))))
    return tuple(name for _, name in sorted(written, reverse=True))


def _switches(root: Path, texts: dict[Path, str]) -> Iterator[Place]:
    for path, text in texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            for pattern in (_GETENV_SWITCH, _FIELD_SWITCH):
                match = pattern.search(line)
                if match and _SWITCH_NAME.search(match["var"]):
                    yield Place(str(path.relative_to(root)), number, match["var"].upper())


def _urls(root: Path, texts: dict[Path, str]) -> Iterator[Place]:
    for path, text in texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            match = URL.search(line)
            if match and not line.lstrip().startswith(("#", ";")):
                yield Place(str(path.relative_to(root)), number, match["scheme"])


def _unread(texts: Iterable[str], variables: Sequence[str]) -> tuple[str, ...]:
    """The variables no source names: as written (``os.environ["X"]``, ``X=`` in a .env file,
    a settings field ``X: str``) or as a lower-case settings field (``x: str``, which
    pydantic-settings fills from X)."""
    blob = "\n".join(texts)

    def named(variable: str) -> bool:
        exact = rf"(?<![\w]){re.escape(variable)}(?![\w])"
        field = rf"^\s*{re.escape(variable.lower())}\s*:"
        return bool(re.search(exact, blob) or re.search(field, blob, re.MULTILINE))

    return tuple(v for v in variables if not named(v))


def _first(places: Iterator[Place]) -> Place | None:
    return next(places, None)
