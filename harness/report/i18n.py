"""Labels of the checklist report in English and Japanese (``--report-lang en|ja``)."""

from __future__ import annotations

from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "pass", "fail": "fail", "blocked": "blocked", "not_run": "not run", "na": "n/a",
        "interrupted": "interrupted", "run_interrupted": "The run was interrupted: items it did not finish are not passing.",
        "items": "items", "item": "Item", "status": "Status", "required": "Required",
        "optional": "optional", "manual": "manual", "tests": "Tests", "duration": "Duration",
        "evidence": "Evidence", "remediation": "Remedy", "target": "Target",
        "revision": "Code revision", "db_version": "Database version",
        "pgvector_version": "pgvector version", "alembic_heads": "Alembic heads",
        "db_revision": "Database revision", "started": "Started", "finished": "Finished",
        "exit_status": "Exit status", "blocked_reason": "Blocked because", "unknown": "unknown",
        "signoff": "Sign-off", "signed_by": "Approved by", "override": "Override reason",
        "not_signed": "Not signed off yet.", "observed": "observed", "expected": "expected",
        "yes": "yes", "no": "no", "facts": "Run", "unmarked": "Tests without a checklist item",
        "not_collected": "no test collected", "message": "Message",
    },
    "ja": {
        "pass": "合格", "fail": "不合格", "blocked": "ブロック", "not_run": "未実施", "na": "対象外",
        "interrupted": "中断", "run_interrupted": "実行は中断されました。完了しなかった項目は合格になりません。",
        "items": "項目", "item": "項目", "status": "状態", "required": "必須",
        "optional": "任意", "manual": "手動", "tests": "テスト", "duration": "所要時間",
        "evidence": "証拠", "remediation": "対処", "target": "対象",
        "revision": "コードのリビジョン", "db_version": "データベースのバージョン",
        "pgvector_version": "pgvector のバージョン", "alembic_heads": "Alembic の head",
        "db_revision": "データベースのリビジョン", "started": "開始", "finished": "終了",
        "exit_status": "終了コード", "blocked_reason": "ブロックの理由", "unknown": "不明",
        "signoff": "承認", "signed_by": "承認者", "override": "例外承認の理由",
        "not_signed": "まだ承認されていません。", "observed": "観測値", "expected": "期待値",
        "yes": "はい", "no": "いいえ", "facts": "実行情報", "unmarked": "チェックリスト項目のないテスト",
        "not_collected": "テストが収集されていません", "message": "メッセージ",
    },
}

MARKS = {"pass": "✅", "fail": "❌", "blocked": "⛔", "not_run": "⬜", "na": "➖", "interrupted": "⏹"}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def summary_text(payload: dict[str, Any], lang: str | None = None) -> str:
    """``Phase 1 staging: 9/12 items (75.0%)`` — the line CI logs and people quote."""
    lang = lang or payload.get("lang", "en")
    phase = payload["checklist"]["phase"].get(lang) or payload["checklist"]["phase"].get("en", "")
    summary = payload["summary"]
    target = payload["target"].get("name", "?")
    return (
        f"{phase} {target}: {summary['done']}/{summary['total']} {labels(lang)['items']} "
        f"({summary['percent']:.1f}%)"
    )
