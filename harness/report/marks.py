"""Status marks of the HTML report as inline SVG: the same in every browser and on a
machine with no emoji font (where ✅ ❌ ⛔ show as empty boxes). Markdown keeps the emoji
(``harness.report.i18n.MARKS``): its viewers (GitHub, chat) draw them."""

from __future__ import annotations

from markupsafe import Markup, escape

_SHAPES = {
    "pass": ('fill="#1a7f37"', '<path d="M4.2 8.4l2.6 2.6 5-5.4" stroke="#fff" stroke-width="2" fill="none"/>'),
    "fail": ('fill="#cf222e"', '<path d="M5 5l6 6M11 5l-6 6" stroke="#fff" stroke-width="2"/>'),
    "blocked": ('fill="#9a6700"', '<path d="M4 8h8" stroke="#fff" stroke-width="2.4"/>'),
    "not_run": ('fill="#fff" stroke="#57606a" stroke-width="1.5"', ""),
    "na": ('fill="#d0d7de"', '<path d="M5 8h6" stroke="#57606a" stroke-width="1.6"/>'),
    "interrupted": ('fill="#57606a"', '<path d="M6.2 5v6M9.8 5v6" stroke="#fff" stroke-width="1.8"/>'),
}
_UNKNOWN = ('fill="#fff" stroke="#57606a" stroke-width="1.5" stroke-dasharray="2 2"', "")


def svg_mark(status: str) -> Markup:
    """A 1em square mark for ``status``; the status word always stands beside it."""
    box, inner = _SHAPES.get(status, _UNKNOWN)
    return Markup(
        f'<svg class="mark" data-mark="{escape(status)}" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
        f'<rect x="1" y="1" width="14" height="14" rx="3" {box}/>{inner}</svg>'
    )
