"""Messages made from an id and parameters, rendered in English and Japanese from catalogs.

A ``Message`` is a ``str`` (its English rendering), so every caller that prints, joins or
compares a summary, remedy or reason keeps working; it also carries ``msg_id`` and
``params``, and renders itself in any language of the catalog (``harness.report.messages.
catalog``). A parameter may itself be a Message (rendered in the same language) or a list
(joined with the language's list separator).

The report is built in another process from results.json, where only strings travel. So
every Message made during a test is remembered (English text → id and parameters); the
plugin drains that record into the test's report and results.json, and the report renders
each English line it shows from its id. A line no Message produced stays English, and the
Japanese report test (tests/report/test_ja_everywhere.py) names it.
"""

from __future__ import annotations

from typing import Any, Self

from harness.messages.catalog import MESSAGES

LANGS = ("en", "ja")
# How a list parameter and the sentences of ``sentences()`` are joined in each language.
_LIST_SEP = {"en": ", ", "ja": "、"}
_SENTENCE_SEP = {"en": "; ", "ja": "。"}
# Texts the harness composes around a message with fixed separators: "n/a: …", "A Hint: B".
PREFIXES = {"n/a: ": "対象外: ", "not run: ": "未実施: ", "blocked: ": "ブロック: ", "interrupted: ": "中断: ",
            "Failed: ": "失敗: "}  # the last: pytest.fail's own prefix
JOINS = {"; ": "。", " Hint: ": " 対処: "}

# English text → {"id", "params"} of every Message made in this process since the last drain.
_SEEN: dict[str, dict[str, Any]] = {}
_SEEN_LIMIT = 5000  # a runaway loop must not grow the record without bound


class Message(str):
    """An English sentence that knows its message id and parameters."""

    msg_id: str
    params: dict[str, Any]

    def __new__(cls, msg_id: str, /, **params: Any) -> Self:
        if msg_id not in MESSAGES:
            raise KeyError(f"unknown message id {msg_id!r}: add it to harness/messages/catalog")
        self = super().__new__(cls, _render(msg_id, params, "en"))
        self.msg_id, self.params = msg_id, params
        if len(_SEEN) < _SEEN_LIMIT:
            _SEEN[str(self)] = self.to_json()
        return self

    def render(self, lang: str) -> str:
        return _render(self.msg_id, self.params, lang)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.msg_id, "params": {k: _encode(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        return cls(data["id"], **{k: _decode(v) for k, v in (data.get("params") or {}).items()})

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (xdist, multiprocessing) keeps the id
        return (_rebuild, (self.to_json(),))


def _rebuild(data: dict[str, Any]) -> Message:
    return Message.from_json(data)


msg = Message


def sentences(*parts: str, joiner: str = "; ") -> str:
    """Several sentences as one line: ``joiner`` ("; ") in English, "。" in Japanese (empty
    parts dropped)."""
    kept = [p for p in parts if p]
    if len(kept) <= 1:
        return kept[0] if kept else ""
    if joiner != "; ":
        return Message("sentences", parts=kept, joiner=joiner)
    return Message("sentences", parts=kept)


def reason_code(text: str, prefix: str = "init.na.") -> str:
    """A reason read from a profile: the Message whose English it is exactly (an id under
    ``prefix`` without parameters, as ``init`` wrote it), else the text as a person wrote it."""
    for msg_id, (en, _) in MESSAGES.items():
        if msg_id.startswith(prefix) and en == text.strip():
            return Message(msg_id)
    return text


def seen() -> dict[str, dict[str, Any]]:
    """The Messages made since the last drain, kept (the session's own, at the end of a run)."""
    return dict(_SEEN)


def drain() -> dict[str, dict[str, Any]]:
    """The Messages made since the last call (English text → id and parameters)."""
    seen = dict(_SEEN)
    _SEEN.clear()
    return seen


def _render(msg_id: str, params: dict[str, Any], lang: str) -> str:
    if msg_id == "sentences":
        en = str(params.get("joiner", "; "))
        joiner = en if lang == "en" else _SENTENCE_SEP.get(lang, en)
        return joiner.join(str(_value(p, lang)) for p in params["parts"])
    en, ja = MESSAGES[msg_id]
    template = ja if lang == "ja" else en
    return template.format(**{k: _value(v, lang) for k, v in params.items()})


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, list | tuple):
        return _LIST_SEP.get(lang, ", ").join(str(_value(v, lang)) for v in value)
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$msg": value.to_json()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$msg" in value:
        return Message.from_json(value["$msg"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def render_known(text: str | None, lang: str, known: dict[str, dict[str, Any]]) -> str | None:
    """``text`` in ``lang`` when Messages produced it (``known``: English → id and params):
    the whole text, a fixed prefix and the rest ("not run: …"), or parts joined by a fixed
    separator ("; ", " Hint: "). None when some part is not a Message's text."""
    if not text:
        return text
    if text in known:
        return _from(known[text], lang)
    for prefix, ja in PREFIXES.items():
        if text.startswith(prefix):
            rest = render_known(text[len(prefix):], lang, known)
            return None if rest is None else (ja if lang == "ja" else prefix) + rest
    for sep, ja in JOINS.items():
        if sep in text:
            groups = _segments(text.split(sep), sep, lang, known)
            if groups is not None:
                return (ja if lang == "ja" else sep).join(groups)
    return None


def _segments(parts: list[str], sep: str, lang: str, known: dict[str, dict[str, Any]]) -> list[str] | None:
    """``parts`` cut into runs that are each a known text (a Message may contain ``sep``
    itself): the rendered runs, longest first, or None."""
    if not parts:
        return []
    for end in range(len(parts), 0, -1):
        head = sep.join(parts[:end])
        rendered = _from(known[head], lang) if head in known else None
        if rendered is None and end == 1:
            rendered = render_known(head, lang, known) if sep not in head else None
        if rendered is not None:
            rest = _segments(parts[end:], sep, lang, known)
            if rest is not None:
                return [rendered, *rest]
    return None


def _from(data: dict[str, Any], lang: str) -> str | None:
    try:
        return Message.from_json(data).render(lang)
    except (KeyError, IndexError, ValueError):
        return None  # a results.json from another harness version: its English stands
