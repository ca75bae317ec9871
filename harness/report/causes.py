"""What a blocked item's label says: the cause (``harness.errors.CAUSES``) in each language.

A blocked test carries its cause code in results.json; the report turns it into words here,
so a connection reset on an app that had just answered every route is not labelled "could
not reach the target", and a database restart is not called a network problem.
"""

from __future__ import annotations

from typing import Any

from harness.errors import (
    CONFIG,
    CONNECTION_RESET,
    DB_RESTARTING,
    DB_UNREACHABLE,
    DEPLOY_NOT_LIVE,
    DEPLOY_UNKNOWN,
    GATEWAY,
    STACK_FAILED,
    TIMEOUT,
    UNREACHABLE,
)
from harness.messages.core import render_known
from harness.report.messages import fragments, translate, translated

CAUSE_WORDS: dict[str, dict[str, str]] = {
    UNREACHABLE: {"en": "the target could not be reached", "ja": "対象に到達できません"},
    TIMEOUT: {"en": "no answer in time", "ja": "応答がタイムアウトしました"},
    CONNECTION_RESET: {"en": "the connection was reset", "ja": "接続がリセットされました"},
    GATEWAY: {"en": "the gateway answered 502/503/504", "ja": "ゲートウェイが 502/503/504 を返しました"},
    DB_UNREACHABLE: {"en": "the database could not be reached", "ja": "データベースに接続できません"},
    DB_RESTARTING: {"en": "the database was restarting", "ja": "データベースが再起動中でした"},
    DEPLOY_NOT_LIVE: {"en": "the deploy is not live yet", "ja": "デプロイがまだ反映されていません"},
    DEPLOY_UNKNOWN: {"en": "the deployed version could not be read", "ja": "デプロイされたバージョンを読み取れません"},
    STACK_FAILED: {"en": "the local stack did not start", "ja": "ローカル環境を起動できませんでした"},
    CONFIG: {"en": "the configuration must be fixed", "ja": "設定の修正が必要です"},
}
_BLOCKED = {"en": "blocked ({cause})", "ja": "ブロック（{cause}）"}


def cause_words(cause: str | None, lang: str) -> str | None:
    """The cause in ``lang``; ``None`` for no cause, the code itself for an unknown one."""
    if not cause:
        return None
    words = CAUSE_WORDS.get(cause)
    return (words.get(lang) or words["en"]) if words else cause


def blocked_label(cause: str | None, lang: str) -> str | None:
    """``blocked (the connection was reset)`` / ``ブロック（接続がリセットされました）``."""
    words = cause_words(cause, lang)
    return _BLOCKED.get(lang, _BLOCKED["en"]).format(cause=words) if words else None


def blocked_reason(key: str, item: dict[str, Any], lang: str, known: dict[str, Any] | None = None) -> str | None:
    """The reason line of a blocked item: its cause's label, then what happened. An item
    without a cause (a report written by an older harness) keeps the catalog's words.
    ``known``: the run's Messages (harness.messages.core), which render what happened."""
    reason = item.get("reason")
    label = blocked_label(item.get("cause"), lang)
    if label is None:
        return (render_known(reason, lang, known) if known and lang != "en" else None) or translate(key, reason, lang)
    rest = (reason or "").removeprefix("blocked: ")
    if not rest:
        return label
    rendered = render_known(rest, lang, known) if known and lang != "en" else None
    if rendered is not None:
        return f"{label}: {rendered}"
    # A message the catalog knows is translated; another keeps its words, with the known
    # fragments in it translated in place (never cut at its "; " and half translated).
    said = translate(key, rest, lang) if translated(key, rest) else fragments(rest, lang)
    return f"{label}: {said}"
