"""Rendering checklist.json as Markdown and as one self-contained HTML file (Jinja2).

The HTML has its styles inline and loads nothing (no fonts, scripts or images from the
network), so it opens from a CI artifact, a mail attachment or a phone as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from harness.report.i18n import MARKS, labels, summary_text
from harness.secrets import redact

_TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _markdown_cell
    env.filters["value"] = _value
    return env


def _markdown_cell(text: Any) -> str:
    """One table cell: no pipes or newlines may break the row."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _context(payload: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "p": payload,
        "lang": lang,
        "L": labels(lang),
        "marks": MARKS,
        "summary_line": summary_text(payload, lang),
        "title": payload["checklist"]["title"].get(lang) or payload["checklist"]["id"],
        "signoff": payload["signoffs"][-1] if payload.get("signoffs") else None,
    }


def render_markdown(payload: dict[str, Any], lang: str | None = None) -> str:
    lang = lang or payload.get("lang", "en")
    return redact(_environment().get_template("checklist.md.j2").render(**_context(payload, lang)))


def render_html(payload: dict[str, Any], lang: str | None = None) -> str:
    lang = lang or payload.get("lang", "en")
    return redact(_environment().get_template("checklist.html.j2").render(**_context(payload, lang)))
