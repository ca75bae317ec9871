"""Finding English sentences left in a Japanese report.

A run of Latin words (not cut by Japanese) is an English sentence when it holds at least
two English function words ("the", "is", "not", …): a command (``alembic upgrade head``),
an identifier, SQL, a path or an HTTP line has none or one, a sentence has several.
Backticked code, URLs, paths, quoted values and 「quoted」 text of the app's own output
(an exception line) are taken out first.
"""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "without",
        "and",
        "or",
        "but",
        "if",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "which",
        "who",
        "what",
        "when",
        "where",
        "can",
        "cannot",
        "could",
        "would",
        "should",
        "must",
        "may",
        "will",
        "shall",
        "than",
        "then",
        "so",
        "as",
        "into",
        "after",
        "before",
        "every",
        "each",
        "any",
        "all",
        "none",
        "only",
        "also",
        "yet",
        "still",
        "again",
    ]
)
_CODE = re.compile(r"`[^`]*`|https?://\S+|(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|<[^>]+>|「[^」]*」|(?<![\w/])/[\w.\-/{}:*]+")
# A run of Latin text: words, spaces, punctuation, digits; Japanese (or a line's end) cuts it.
_RUN = re.compile(r"[A-Za-z0-9_./:;,=()\[\]{}\-+*#@$%&!?~^|\\ ]+")
# A word is a token of letters only: an identifier (snake_case, dotted, kebab-case) is none.
_WORD = re.compile(r"^[(\[]*([A-Za-z]+(?:'[a-z]+)?)[)\].,;:!?]*$")


def english_sentences(text: str) -> list[str]:
    """The English sentences in ``text`` (a line of a report), each as it stands."""
    out = []
    for run in _RUN.findall(_CODE.sub(" ", text)):
        # SQL keywords (NOT NULL, CREATE TABLE) are all capitals: not words of a sentence.
        tokens = [m.group(1) for token in run.split() if (m := _WORD.match(token))]
        words = [t.lower() for t in tokens if not (t.isupper() and len(t) > 1)]
        if len(words) >= 3 and sum(w in FUNCTION_WORDS for w in words) >= 2:
            out.append(run.strip())
    return out
