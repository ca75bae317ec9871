"""The head check's revision reader: same answers as Alembic, without executing literal files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from support import REPO

from harness.checks.migrations import _pending, alembic_config, head_revisions, known_revision
from harness.checks.revisions import RevisionGraph

INI = REPO / "examples" / "reference_app" / "alembic.ini"


def scripts(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "versions").mkdir()
    (tmp_path / "alembic.ini").write_text(f"[alembic]\nscript_location = {tmp_path}\n")
    (tmp_path / "env.py").write_text("raise SystemExit('env.py must not run')\n")
    for name, body in files.items():
        (tmp_path / "versions" / name).write_text(textwrap.dedent(body))
    return tmp_path / "alembic.ini"


def rev(revision: str, down: str | None, extra: str = "") -> str:
    return f"revision = {revision!r}\ndown_revision: str | None = {down!r}\n{extra}\n"


def test_reference_app_is_read_without_executing_and_agrees_with_alembic():
    graph = head_revisions(INI)
    assert isinstance(graph, RevisionGraph)
    alembic = ScriptDirectory.from_config(alembic_config(INI))
    assert graph.get_heads() == tuple(alembic.get_heads()) == ("0005",)
    assert _pending(graph, "0005", ["0002"]) == _pending(alembic, "0005", ["0002"]) == ["0003", "0004", "0005"]
    assert known_revision(graph, "0003") and not known_revision(graph, "f00d")


def test_files_are_not_imported_where_ids_are_literals(tmp_path):
    boom = "raise RuntimeError('executed')\nimport not_installed_anywhere\n"
    ini = scripts(tmp_path, {"a.py": rev("a", None, boom), "b.py": rev("b", "a", boom)})
    graph = head_revisions(ini)
    assert isinstance(graph, RevisionGraph) and graph.get_heads() == ("b",)


def test_a_computed_down_revision_falls_back_to_the_loaded_scripts(tmp_path):
    ini = scripts(tmp_path, {
        "a.py": rev("a", None),
        "b.py": "import importlib.util\nrevision = 'b'\ndown_revision = 'a'.upper().lower()\n",
        "c.py": rev("c", "b"),
    })  # fmt: skip
    graph = head_revisions(ini)
    assert not isinstance(graph, RevisionGraph) and list(graph.get_heads()) == ["c"]


def test_two_heads_and_a_merge(tmp_path):
    files = {"a.py": rev("a", None), "b.py": rev("b", "a"), "c.py": rev("c", "a")}
    assert head_revisions(scripts(tmp_path, files)).get_heads() == ("b", "c")
    (tmp_path / "versions" / "m.py").write_text("revision = 'm'\ndown_revision = ('b', 'c')\n")
    graph = head_revisions(tmp_path / "alembic.ini")
    assert graph.get_heads() == ("m",)
    assert _pending(graph, "m", ["a"]) in (["b", "c", "m"], ["c", "b", "m"])


def test_a_broken_chain_names_the_revision_and_the_missing_one(tmp_path):
    ini = scripts(tmp_path, {"a.py": rev("a", None), "c.py": rev("c", "missing")})
    with pytest.raises(CommandError, match="revision c names down_revision 'missing', which no revision file"):
        head_revisions(ini)


def test_an_assignment_quoted_in_a_docstring_does_not_fool_the_fast_path(tmp_path):
    doc = '"""Copied from elsewhere:\nrevision = "zzz"\n"""\n'
    ini = scripts(tmp_path, {"a.py": rev("a", None), "b.py": doc + rev("b", "a") + "x = 1  # revision = 'q'\n"})
    graph = head_revisions(ini)
    assert isinstance(graph, RevisionGraph) and graph.get_heads() == ("b",)
