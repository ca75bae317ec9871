"""Rendering checklist.json as Markdown and as one self-contained HTML file (Jinja2).

The HTML has its styles inline and loads nothing (no fonts, scripts or images from the
network), so it opens from a CI artifact, a mail attachment or a phone as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from harness.messages.core import Message, render_known
from harness.report import present
from harness.report.i18n import MARKS, STATUS_ORDER, labels, summary_text, word
from harness.report.marks import svg_mark
from harness.report.messages import translate
from harness.secrets import redact

_TEMPLATES = Path(__file__).with_name("templates")


def _environment(lang: str = "en", tz: Any = None, known: dict[str, Any] | None = None) -> Environment:
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
    env.filters["word"] = lambda value: _word(value if isinstance(value, Message) else str(value), lang, known or {})
    env.filters["say"] = lambda value: present.say_line("*", value, lang, known or {})
    env.filters["local"] = lambda value: present.local_time(value, tz)
    env.filters["dur"] = lambda value: present.duration(value, lang)
    env.filters["md_what"] = _md_what
    env.filters["write_line"] = lambda write: _write_line(write, lang)
    env.filters["mark"] = svg_mark
    return env


def _word(value: str, lang: str, known: dict[str, Any]) -> str:
    """An evidence cell: a Message's text in ``lang``, else the fixed words and fragments."""
    if isinstance(value, Message):  # made while rendering (an evidence table's own words)
        return value.render(lang)
    rendered = render_known(value, lang, known) if lang != "en" else None
    return rendered if rendered is not None else word(value, lang)


def _write_line(write: dict[str, Any], lang: str) -> str:
    """``drop schema hv_r…_main — 127.0.0.1:5432/app (cleanup; test_no_throwaway_schema_left)``."""
    def say(value: Any) -> str:
        return translate("writes", str(value), lang) or str(value)

    count = f" ×{write['count']}" if "count" in write else ""
    why = [say(write[key]).rpartition("::")[2] for key in ("purpose", "tag", "by") if write.get(key)]
    return f"{say(write.get('action'))} {say(write.get('object'))}{count} — {write.get('database')}" + (
        f" ({'; '.join(why)})" if why else ""
    )


def _md_what(row: dict[str, Any], item: dict[str, Any], L: dict[str, str]) -> str:
    """The Markdown row's last cell: what happened, the values, waivers, then the remedy."""
    parts = [*row["summaries"], *row["observed"]]
    parts += [f"{L['app_error']}: {line}" for line in row.get("app_errors", [])]
    if row["reason"] and not row["summaries"]:
        parts.append(row["reason"])
    parts += [w["text"] for w in row["waivers"]]
    if row["ticked"]:
        parts.append(row["ticked"])
    if row["pending"]:
        parts.append(row["pending"])
    if item["status"] != "pass" and row["remedies"]:
        parts.append(f"{L['remediation']}: " + "; ".join(row["remedies"]))
    if not parts and not item.get("in_scope", True) and not item.get("manual"):
        parts.append(L["not_collected"])
    return "<br>".join(parts)


def _markdown_cell(text: Any) -> str:
    """One table cell: no pipes or newlines may break the row."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _context(payload: dict[str, Any], lang: str, tz: Any) -> dict[str, Any]:
    items = present.sorted_items(payload["items"])
    signoffs = payload.get("signoffs") or []
    return {
        "p": payload,
        "lang": lang,
        "L": labels(lang),
        "marks": MARKS,
        "statuses": _statuses(payload),
        "counts": Counter(i["status"] for i in payload["items"]),
        "summary_line": summary_text(payload, lang),
        "blocking_line": present.blocking_line(payload, lang),
        "blocking": present.blocking(payload),
        "h": present.header(payload, tz, lang),
        "rows": [(item, present.row(item, payload, lang, tz)) for item in items],
        "trend": payload.get("trend"),
        "active_waivers": [w for w in payload.get("waivers", []) if w.get("active")],
        "title": payload["checklist"]["title"].get(lang) or payload["checklist"]["id"],
        "signoff": signoffs[-1] if signoffs else None,
        "signoffs": signoffs,
        "tz_name": str(tz),
    }


def _statuses(payload: dict[str, Any]) -> list[str]:
    """The counts line: the four everyday statuses always, others (n/a, interrupted, ones a
    newer harness adds) only when some item has them."""
    counted = payload["summary"].get("by_status", {})  # every status is a key, most at 0
    present_ones = {i["status"] for i in payload["items"]} | {s for s, n in counted.items() if n}
    extra = sorted(present_ones - set(STATUS_ORDER))
    return [s for s in STATUS_ORDER if s in STATUS_ORDER[:4] or s in present_ones] + extra


def _render(template: str, payload: dict[str, Any], lang: str | None) -> str:
    lang = lang or payload.get("lang", "en")
    tz = present.zone(payload.get("report_tz"), lang)
    env = _environment(lang, tz, payload.get("messages") or {})
    return redact(env.get_template(template).render(**_context(payload, lang, tz)))


def render_markdown(payload: dict[str, Any], lang: str | None = None) -> str:
    return _render("checklist.md.j2", payload, lang)


def render_html(payload: dict[str, Any], lang: str | None = None) -> str:
    return _render("checklist.html.j2", payload, lang)
