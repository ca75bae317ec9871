"""The revision graph for migration-head, read from the revision files without running them.

Alembic's ``ScriptDirectory`` imports every revision file (its module code, imports of
``sqlalchemy``/the app's models, ``op`` definitions) to learn two assignments. At 1,000
revisions that import is nearly all of the head check's time. Here each file is parsed with
``ast`` and ``revision``/``down_revision`` read where they are literals (what
``alembic revision`` writes); where either is computed (``down_revision = OTHER.revision``)
the caller falls back to Alembic's loaded scripts (harness.checks.migrations.script_directory,
which asks the app's interpreter where the files import the app). A down_revision no file defines is a
``CommandError`` naming both (Alembic stops on a bare ``KeyError`` there). Anything else this
reader does not model — duplicate ids, recursive or sourceless version locations, a file
without a ``revision`` — is handed to Alembic's own ``ScriptDirectory``.

``RevisionGraph`` answers the four questions migration-head asks, with the same names as
``ScriptDirectory``: ``dir``, ``get_heads()``, ``get_revision()``, ``iterate_revisions()``.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError

# Alembic's own rule for which files in a versions folder are revisions.
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_WANTED = ("revision", "down_revision")
_PLAIN = re.compile(r"""^(['"])([\w.-]*)\1$""")
# The one-line form ``alembic revision`` writes: ``down_revision: Union[str, None] = 'abc'``.
_ONE_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


class NotModelled(Exception):
    """This reader cannot answer; Alembic's ScriptDirectory will."""


@dataclass(frozen=True)
class Revision:
    revision: str
    down: tuple[str, ...]
    path: Path | None = None


@dataclass
class RevisionGraph:
    dir: str
    revisions: dict[str, Revision]

    def get_heads(self) -> tuple[str, ...]:
        below = {down for rev in self.revisions.values() for down in rev.down}
        return tuple(sorted(set(self.revisions) - below))

    def get_revision(self, revision: str) -> Revision:
        if revision not in self.revisions:
            raise CommandError(f"No such revision or branch '{revision}'")
        return self.revisions[revision]

    def has_downgrade(self, revision: str) -> bool:
        """Its ``downgrade()`` does something (not only ``pass``, a docstring or a raise)."""
        path = self.revisions[revision].path
        return path is not None and downgrade_does_something(path)

    def iterate_revisions(self, upper: str, lower: str) -> Iterator[Revision]:
        """``upper`` and its ancestors, newest first, stopping below ``lower`` ("base": none)."""
        stop = set() if lower == "base" else self._ancestors(lower) - {lower}
        for revision in self._ordered(upper):
            if revision not in stop:
                yield self.revisions[revision]

    def _ancestors(self, start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.revisions[current].down)
        return seen

    def _ordered(self, upper: str) -> list[str]:
        """Newest first: a revision comes before everything it builds on."""
        order: list[str] = []
        done: set[str] = set()
        stack: list[tuple[str, bool]] = [(upper, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                order.append(current)
            elif current not in done:
                done.add(current)
                stack.append((current, True))
                stack.extend((down, False) for down in self.revisions[current].down)
        return order[::-1]


def read_graph(script: ScriptDirectory) -> RevisionGraph:
    """The graph, or ``NotModelled`` when the loaded scripts must answer instead."""
    if script.recursive_version_locations or script.sourceless:
        raise NotModelled("recursive or sourceless version locations")
    graph = RevisionGraph(dir=script.dir, revisions={})
    for location in script._version_locations:
        if not os.path.isdir(location):
            continue
        with os.scandir(location) as entries:  # scandir: no stat per file
            files = sorted(e.path for e in entries if e.is_file() and _REVISION_FILE.match(e.name))
        for path in files:
            _add(graph, _ids(Path(path), graph))
    _require_closed(graph)
    return graph


def _ids(path: Path, graph: RevisionGraph) -> Revision:
    found = _literal_ids(path)
    if found is None:  # computed ids: only executing the file tells (script_directory does)
        raise NotModelled(f"{path.name}: revision ids are not literals")
    revision, down = found.get("revision"), found.get("down_revision")
    if not isinstance(revision, str) or not revision:
        raise NotModelled(f"{path.name}: no revision id")
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    if not all(isinstance(d, str) for d in downs):
        raise NotModelled(f"{path.name}: down_revision is neither text nor a list of text")
    return Revision(revision, downs, path)


def downgrade_does_something(path: Path) -> bool:
    """The file's ``downgrade()`` does more than ``pass``, a docstring or a raise."""
    for node in ast.parse(path.read_bytes()).body:
        if isinstance(node, ast.FunctionDef) and node.name == "downgrade":
            return any(not _inert(statement) for statement in node.body)
    return False


def _inert(statement: ast.stmt) -> bool:
    return isinstance(statement, (ast.Pass, ast.Raise)) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))


def _literal_ids(path: Path) -> dict[str, Any] | None:
    """``revision``/``down_revision`` from the module's top-level assignments, or ``None``
    when either is not a literal (the file must then be executed)."""
    source = path.read_bytes()
    return _one_line_ids(source) or _parsed_ids(path, source)


def _one_line_ids(source: bytes) -> dict[str, Any] | None:
    """The fast path (a third of a full parse): each name assigned once, on one line, to a
    literal. Anything else (also a match inside a docstring: a name seen twice) goes to ast."""
    matches = _ONE_LINE.findall(source.decode("utf-8", "replace"))
    if len(matches) != 2 or {name for name, _ in matches} != set(_WANTED):
        return None
    try:
        return {name: _literal(value) for name, value in matches}
    except (ValueError, SyntaxError):
        return None


def _literal(value: str) -> Any:
    plain = _PLAIN.match(value)
    if plain:
        return plain.group(2)
    return None if value == "None" else ast.literal_eval(value)


def _parsed_ids(path: Path, source: bytes) -> dict[str, Any] | None:
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError:
        raise NotModelled(f"{path.name} does not parse") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        targets, value = _assignment(node)
        if value is None:
            continue
        for name in (t.id for t in targets if isinstance(t, ast.Name) and t.id in _WANTED):
            try:
                found[name] = ast.literal_eval(value)
            except ValueError:
                return None
    return found if "revision" in found else None


def _assignment(node: ast.stmt) -> tuple[list[ast.expr], ast.expr | None]:
    if isinstance(node, ast.Assign):
        return node.targets, node.value
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return [node.target], node.value
    return [], None


def _add(graph: RevisionGraph, revision: Revision) -> None:
    if revision.revision in graph.revisions:
        raise NotModelled(f"duplicate revision {revision.revision}")
    graph.revisions[revision.revision] = revision


def _require_closed(graph: RevisionGraph) -> None:
    """Every down_revision names a file here (Alembic itself stops on a bare KeyError)."""
    known = graph.revisions
    if not known:
        raise NotModelled("no revision files")
    for rev in known.values():
        for down in (d for d in rev.down if d not in known):
            raise CommandError(f"revision {rev.revision} names down_revision {down!r}, which no "
                               f"revision file defines (deleted or renamed?)")  # fmt: skip
