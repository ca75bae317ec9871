"""Labels of the checklist report in English and Japanese (``--report-lang en|ja``)."""

from __future__ import annotations

from typing import Any

from harness.messages.catalog import MESSAGES
from harness.report.messages import fragments

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "pass", "fail": "fail", "blocked": "blocked", "not_run": "not run",
        "run_interrupted": "The run was interrupted: items it did not finish are not passing.",
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
        "na": "n/a", "interrupted": "interrupted", "releasable": "Nothing blocks the release.",
        "blocks_release": "Blocks release", "waived": "waived until {date} by {who}: {reason}",
        "waiver_expired": "waiver expired on {date} (by {who}: {reason}): the finding counts again",
        "ticked_by": "ticked {tick} by {who} at {at}", "duration_total": "Run time",
        "database": "Database", "what_happened": "What happened", "values": "Observed ≠ expected",
        "trend": "Trend", "newly_failing": "Newly failing", "newly_fixed": "Newly fixed",
        "run": "Run", "completion": "Completion", "none": "none", "history": "Sign-off history",
        "waivers": "Active waivers", "no_waivers": "No active waivers.", "times_in": "Times in",
        "manual_pending": "to be ticked at sign-off (python -m harness signoff DIR --by NAME --manual {id}=done)",
        "approved_by": "approved by {who}", "manual_ticks": "manual ticks", "waived_item": "waived",
        "collection_errors": "Not collected: files that did not import (the rest of the run went on)",
        "writes": "Writes to the database",
        "writes_note": "Everything the harness wrote; every other connection was read-only at the server.",
        "app_error": "The app's error (from its log)", "app_error_at": " (at {frame})",
        "exit_not_run": "exit 1 only because required items were not run: {items} (see each item's reason)",
    },
    "ja": {
        "pass": "合格", "fail": "不合格", "blocked": "ブロック", "not_run": "未実施",
        "run_interrupted": "実行は中断されました。完了しなかった項目は合格になりません。",
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
        "na": "対象外", "interrupted": "中断", "releasable": "リリースを妨げる項目はありません。",
        "blocks_release": "リリースを妨げている項目", "waived": "{date} まで免除（{who}）: {reason}",
        "waiver_expired": "免除は {date} に期限切れ（{who}: {reason}）: この指摘は再び不合格として扱われます",
        "ticked_by": "{who} が {at} に {tick} とチェック", "duration_total": "実行時間",
        "database": "データベース", "what_happened": "起きたこと", "values": "観測値 ≠ 期待値",
        "trend": "推移", "newly_failing": "新たに不合格", "newly_fixed": "新たに合格",
        "run": "実行", "completion": "達成率", "none": "なし", "history": "承認の履歴",
        "waivers": "有効な免除", "no_waivers": "有効な免除はありません。", "times_in": "時刻の表示",
        "manual_pending": "承認時にチェックしてください (python -m harness signoff DIR --by 氏名 --manual {id}=done)",
        "approved_by": "{who} が承認", "manual_ticks": "手動チェック", "waived_item": "免除",
        "collection_errors": "収集できなかったファイル（インポートに失敗。実行の残りは続行しました）",
        "writes": "データベースへの書き込み",
        "writes_note": "ハーネスが書き込んだものの一覧です。ほかの接続はすべてサーバー側で読み取り専用でした。",
        "app_error": "アプリのエラー（アプリのログより）", "app_error_at": "（発生箇所: {frame}）",
        "exit_not_run": "終了コード 1 は、必須項目が未実施だったことだけによるものです: {items}（各項目の理由を確認してください）",
    },
}

MARKS = {"pass": "✅", "fail": "❌", "blocked": "⛔", "not_run": "⬜", "na": "➖", "interrupted": "⏸"}
STATUS_ORDER = ("pass", "fail", "blocked", "not_run", "na", "interrupted")

# Column headers and the few fixed words of the evidence tables (harness.report.evidence).
WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "method": "メソッド", "path": "パス", "sent": "送信内容", "answered": "応答",
        "object": "オブジェクト", "live database": "対象DB（稼働中のスキーマ）", "migrations": "マイグレーション",
        "models": "モデル", "step": "ステップ", "status": "状態", "balance": "残高", "key": "項目",
        "observed": "観測値", "expected": "期待値", "missing": "なし", "has it": "あり",
        "not defined": "定義なし", "defines it": "定義あり", "creates it": "作成する",
        "does not create it": "作成しない", "not served": "提供されていない", "ok": "正常", "wrong": "異常",
        "served, not in the expected list": "提供されているが期待リストにない", "differs": "相違",
        "total supply before": "フロー前の総供給量", "reward credited (balance rise)": "報酬の付与（残高の増加）",
        "ledger credits to the user": "ユーザーへの台帳の入金", "ledger rows of the task (database)": "タスクの台帳の行（DB）",
        "total supply after": "フロー後の総供給量", "completing the task a second time": "タスクの 2 回目の完了",
        "concurrent completions": "同時の完了",
    },
}


def word(value: str, lang: str) -> str:
    """A column header, evidence key or fixed word: the catalog's ``key.<value>`` entry, the
    fixed words above, else the known fragments."""
    if lang == "ja" and f"key.{value}" in MESSAGES:
        return MESSAGES[f"key.{value}"][1]
    return WORDS.get(lang, {}).get(value) or fragments(value, lang)


def status_label(status: str, lang: str) -> str:
    return f"{MARKS.get(status, '?')} {labels(lang).get(status, status)}"


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


def not_run_note(payload: dict[str, Any], lang: str | None = None) -> str | None:
    """Why the run exits 1 when no required item failed: the required items not run (a
    person reading "exit 1" looks for a failure and finds none)."""
    if payload.get("exit_status") != 1:
        return None
    required = [i for i in payload["items"]
                if i["required"] and not i["manual"] and i["in_scope"] and not i.get("waived")]  # fmt: skip
    if any(i["status"] == "fail" for i in required) or payload.get("collection_errors") or any(
        t.get("outcome") in ("failed", "error") for t in payload.get("unmarked_tests", [])
    ):
        return None
    not_run = [i["id"] for i in required if i["status"] == "not_run"]
    if not not_run:
        return None
    return labels(lang or payload.get("lang", "en"))["exit_not_run"].format(items=", ".join(not_run))
