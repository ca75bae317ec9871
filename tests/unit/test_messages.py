"""Message ids and their catalogs: every id has English and Japanese with the same
placeholders, every id the code names exists, and a Message survives the trip to the report."""

from __future__ import annotations

import ast
import pickle
import re
import string
from pathlib import Path

import pytest
from english import english_sentences

from harness.messages import catalog
from harness.messages.core import Message, drain, render_known, sentences

HARNESS = Path(__file__).resolve().parents[2] / "harness"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_id_has_japanese_with_the_same_placeholders() -> None:
    problems = []
    for msg_id, (en, ja) in catalog.MESSAGES.items():
        if _fields(en) != _fields(ja):
            problems.append(f"{msg_id}: en {sorted(_fields(en))} != ja {sorted(_fields(ja))}")
        bare = re.sub(r"\{[^}]*\}", "X", ja)
        if not _JAPANESE.search(ja) and len(re.findall(r"[a-z]{2,}", bare)) >= 2:
            problems.append(f"{msg_id}: the Japanese text is English: {ja!r}")
        left = english_sentences(bare)
        if left:
            problems.append(f"{msg_id}: English in the Japanese text: {left}")
    assert not problems, "\n".join(problems)


def test_no_two_catalog_modules_define_one_id() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for module in catalog._MODULES:
        for msg_id in module.MESSAGES:
            if msg_id in seen:
                clashes.append(f"{msg_id}: {seen[msg_id]} and {module.__name__}")
            seen[msg_id] = module.__name__
    assert not clashes, clashes


def _named_ids() -> list[tuple[str, str]]:
    """Every literal id passed to msg(...)/Message(...) in the harness's source."""
    found = []
    for path in HARNESS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("msg", "Message")
                    and node.args and isinstance(node.args[0], ast.Constant)):  # fmt: skip
                found.append((f"{path.relative_to(HARNESS)}:{node.lineno}", str(node.args[0].value)))
    return found


def test_every_id_the_code_names_is_in_the_catalog() -> None:
    named = _named_ids()
    unknown = [f"{where}: {msg_id}" for where, msg_id in named if msg_id not in catalog.MESSAGES]
    assert not unknown, "\n".join(unknown)


def test_an_unknown_id_is_refused_at_once() -> None:
    with pytest.raises(KeyError, match="unknown message id"):
        Message("no.such.id")


def test_a_message_is_its_english_text_and_renders_in_japanese() -> None:
    drain()
    one = Message("sentences", parts=["a", "b"])
    assert one == "a; b" and one.render("ja") == "a。b"
    nested = sentences(Message("sentences", parts=["x"]), "y")
    assert isinstance(nested, Message) and nested.render("ja") == "x。y"
    again = Message.from_json(nested.to_json())
    assert again == nested and again.render("ja") == "x。y"
    assert pickle.loads(pickle.dumps(nested)).msg_id == "sentences"
    made = drain()
    assert made[str(nested)] == nested.to_json()


def test_known_lines_render_with_their_prefix_and_separators() -> None:
    drain()
    a, b = Message("sentences", parts=["A1", "A2"]), Message("sentences", parts=["B1", "B2"])
    known = drain()
    assert render_known(f"not run: {a}", "ja", known) == "未実施: A1。A2"
    assert render_known(f"{a} Hint: {b}", "ja", known) == "A1。A2 対処: B1。B2"
    assert render_known(f"{a}; {b}", "ja", known) == "A1。A2。B1。B2"
    assert render_known(f"{a}; something else", "ja", known) is None
