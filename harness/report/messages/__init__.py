"""Japanese texts for the checks' summaries and remedies (``--report-lang ja``).

The checks speak English, and other work edits their wording; so the catalog is a list of
patterns per item (``messages/ja.py``) matched against the English text, never message
codes threaded through every check. A text no pattern matches is shown in English: an
untranslated line is better than a wrong one. A summary that joins several problems with
"; " is translated part by part.
"""

from __future__ import annotations

import re

from harness.report.messages.ja import CATALOG, COMMON, FRAGMENTS

_COMPILED: dict[str, list[tuple[re.Pattern[str], str]]] = {
    item: [(re.compile(rf"^{pattern}$", re.DOTALL), template) for pattern, template in entries]
    for item, entries in {**CATALOG, "*": COMMON}.items()
}


_FRAGMENTS = [(re.compile(pattern), replacement) for pattern, replacement in FRAGMENTS]


def fragments(text: str, lang: str) -> str:
    """The known fragments of ``text`` in ``lang`` (evidence cells, captured English)."""
    if lang != "ja":
        return text
    for pattern, replacement in _FRAGMENTS:
        text = pattern.sub(replacement, text)
    return text


def translate(item: str, text: str | None, lang: str) -> str | None:
    """``text`` in ``lang``; English (and unknown languages) pass through unchanged."""
    if lang != "ja" or not text:
        return text
    return fragments(_translate(item, text), lang)


def _translate(item: str, text: str) -> str:
    # Problems joined by "; " first (a greedy pattern must not swallow its neighbours), then
    # the whole text (a remedy may contain "; " itself), then whatever parts are known.
    parts = text.split("; ")
    known = [_one(item, part) for part in parts]
    if len(parts) > 1 and all(known):
        return "。".join(k for k in known if k)
    whole = _one(item, text)
    if whole is not None:
        return whole
    return "。".join(k or part for k, part in zip(known, parts, strict=True))


def translated(item: str, text: str) -> bool:
    """True when the catalog has a Japanese text for every part of ``text``."""
    return _one(item, text) is not None or all(_one(item, part) is not None for part in text.split("; "))


def _one(item: str, text: str) -> str | None:
    for pattern, template in [*_COMPILED.get(item, []), *_COMPILED["*"]]:
        match = pattern.match(text.strip())
        if match is not None:
            return template.format(**{k: v or "" for k, v in match.groupdict().items()})
    return None
