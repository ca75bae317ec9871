"""What the md/html pages show, computed once from checklist.json for both templates.

Rows say what happened: the failing checks' summary lines and key observed/expected
values, the remedies with ``NAME`` filled in, waivers, evidence tables. Failed and blocked
items come first and the blocking line ("Blocks release: …") leads the page. Times are in
``report_tz`` (the profile's, ``--report-tz``, else the machine's; JST for Japanese).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from harness.errors import ConfigError
from harness.messages.core import render_known
from harness.report.causes import blocked_label, blocked_reason, cause_words
from harness.report.evidence import render_check, text
from harness.report.i18n import labels
from harness.report.messages import translate

# Worst first; an unknown status (a newer harness) sorts after these and shows as itself.
ORDER = ("fail", "blocked", "interrupted", "not_run", "na", "pass")
_GATING = ("fail", "blocked", "interrupted", "not_run")


def zone(name: str | None, lang: str) -> tzinfo:
    """The report's time zone: the name given, JST for Japanese, else the machine's."""
    if not name and lang == "ja":
        name = "Asia/Tokyo"
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown name must not lose the report: fall back, the label says which
    return datetime.now().astimezone().tzinfo or UTC


def check_zone(name: str | None, where: str) -> None:
    """A misspelt zone is a usage error up front, not a report in the wrong zone."""
    if not name:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {name!r}.", hint='use an IANA name, e.g. "Asia/Tokyo" or "UTC"') from None


def local_time(value: str | None, tz: tzinfo) -> str:
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)  # Python 3.11 reads the trailing Z
    except ValueError:
        return value
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def duration(seconds: Any, lang: str = "en") -> str:
    if not isinstance(seconds, int | float):
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    if lang == "ja":
        return f"{minutes} 分 {secs:02d} 秒" if minutes else f"{seconds:.1f} 秒"
    return f"{minutes} min {secs:02d} s" if minutes else f"{seconds:.1f} s"


def blocking(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Required items that hold the release (a waived item does not)."""
    return [i for i in payload["items"]
            if i["required"] and i["status"] in _GATING and not i.get("waived")
            and (i.get("in_scope", True) or i.get("manual") or i["status"] != "not_run")]  # fmt: skip


def blocking_line(payload: dict[str, Any], lang: str) -> str:
    L = labels(lang)
    items = blocking(payload)
    if not items:
        return L["releasable"]
    named = ", ".join(f"{i['id']} ({_status_words(i, lang, inline=False)})" for i in items)
    return f"{L['blocks_release']}: {named}"


def _status_words(item: dict[str, Any], lang: str, *, inline: bool = True) -> str:
    """``fail``; a blocked item names its cause: ``blocked (the connection was reset)``, or
    in parentheses already (``inline=False``) ``blocked: the connection was reset``."""
    status = str(labels(lang).get(item["status"], item["status"]))
    words = cause_words(item.get("cause"), lang) if item["status"] == "blocked" else None
    if not words:
        return status
    return (blocked_label(item.get("cause"), lang) or status) if inline else f"{status}: {words}"


def sorted_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rank = {status: n for n, status in enumerate(ORDER)}
    return sorted(items, key=lambda i: (i.get("waived", False), rank.get(i["status"], len(ORDER) - 1.5)))


def row(item: dict[str, Any], payload: dict[str, Any], lang: str, tz: tzinfo) -> dict[str, Any]:
    name = payload.get("target", {}).get("name") or "NAME"
    key = item.get("item", item["id"])  # a release report's "svc/health" is the health item
    failing = [c for c in item.get("evidence", []) if not c.get("ok")]
    shown = failing if item["status"] != "pass" else item.get("evidence", [])[:1]
    known = payload.get("messages") or {}

    def say(line: str | None) -> str | None:
        return _fill(say_line(key, line, lang, known), name)

    return {
        "summaries": [say(c.get("summary")) for c in shown if c.get("summary")],
        "observed": [v for c in failing for v in key_values(c)],
        "remedies": [say(r) for r in item.get("remediation", [])],
        "reason": _fill(_reason(key, item, lang, known), name) if item["status"] != "pass" else None,
        "app_errors": [app_error_line(e, lang) for e in item.get("app_errors", [])],
        "cause": cause_words(item.get("cause"), lang) if item["status"] == "blocked" else None,
        "status_text": _status_words(item, lang),
        "tables": [t for c in (failing or item.get("evidence", [])) for t in render_check(c, _sayer(lang, known))],
        "waivers": [_waiver_line(w, lang) for w in item.get("waivers", [])],
        "ticked": _tick_line(item.get("ticked"), lang, tz),
        "pending": labels(lang)["manual_pending"].format(id=item["id"]) if item.get("manual") and not item.get("ticked") else None,
    }


def _sayer(lang: str, known: dict[str, Any]) -> Callable[[str], str] | None:
    if lang == "en":
        return None
    return lambda line: render_known(line, lang, known) or line


def say_line(item: str, line: str | None, lang: str, known: dict[str, Any]) -> str | None:
    """A line of the report in ``lang``: from the Message that made it (its id), else from the
    regex catalog of the older checks (``harness.report.messages``), else as it is."""
    if lang == "en" or not line:
        return line
    rendered = render_known(line, lang, known)
    return rendered if rendered is not None else translate(item, line, lang)


def _reason(key: str, item: dict[str, Any], lang: str, known: dict[str, Any]) -> str | None:
    if item["status"] == "blocked":
        return blocked_reason(key, item, lang, known)
    return say_line(key, item.get("reason"), lang, known)


def app_error_line(error: dict[str, str], lang: str) -> str:
    """``ValueError: boom (at app/routes.py:12 in list_users)``: the app's exception line
    and its last frame, as read from its log (already masked)."""
    where = labels(lang)["app_error_at"].format(frame=error["frame"]) if error.get("frame") else ""
    return f"{error.get('error', '')}{where}"


def key_values(check: dict[str, Any]) -> list[str]:
    """``balance_rise: 14 (expected 7)`` for each expected key the check observed otherwise."""
    evidence, expected = check.get("evidence") or {}, check.get("expected") or {}
    out = []
    for key, want in expected.items():
        if key in evidence and evidence[key] != want and want != []:  # [] = "no findings": the table shows them
            out.append(f"{key}: {_brief(evidence[key])} ≠ {_brief(want)}")
    return out


def _brief(value: Any) -> str:
    if isinstance(value, list) and len(value) > 4:
        return f"[{len(value)} entries]"
    out = text(value)
    return out if len(out) <= 80 else out[:79] + "…"


def _fill(line: str | None, name: str) -> str | None:
    return re.sub(r"\bNAME\b", name, line) if line else line


def _waiver_line(waiver: dict[str, Any], lang: str) -> dict[str, Any]:
    L = labels(lang)
    what = f" [{waiver['finding']}]" if waiver.get("finding") else ""
    template = L["waived"] if waiver.get("active") else L["waiver_expired"]
    return {"active": bool(waiver.get("active")),
            "text": template.format(date=waiver["expires"], who=waiver["who"], reason=waiver["reason"]) + what}  # fmt: skip


def _tick_line(tick: dict[str, Any] | None, lang: str, tz: tzinfo) -> str | None:
    if not tick:
        return None
    return labels(lang)["ticked_by"].format(tick=tick["tick"], who=tick["by"], at=local_time(tick.get("at"), tz))


def _fact(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else text(value)


def header(payload: dict[str, Any], tz: tzinfo, lang: str = "en") -> dict[str, str]:
    facts, target = payload.get("facts", {}), payload.get("target", {})
    return {
        "target": f"{target.get('name')} ({target.get('kind') or '?'})",
        "revision": text(facts.get("code_revision")),
        "database": " · ".join(_fact(facts.get(k)) for k in ("db_version", "pgvector_version", "db_revision")),
        "started": local_time(payload.get("started_at"), tz),
        "duration": duration(payload.get("duration_s"), lang),
    }
