"""What ``signoff`` and ``compare`` print and record (harness.commands, harness.report.signoff)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "signoff.refused": ("signoff refused: required items not passing: {items}.", "承認できません: 合格していない必須項目があります: {items}。"),
    "signoff.refused_hint": ("Fix them and re-run, tick manual items with --manual ITEM=done, or approve anyway with --override REASON.", "直して再実行するか、手動の項目を --manual ITEM=done でチェックするか、--override 理由 で例外として承認してください。"),
    "signoff.signed": ("signed off by {who}: {summary}", "{who} が承認しました: {summary}"),
    "signoff.signed_override": ("signed off by {who} (override: {reason}): {summary}", "{who} が承認しました（例外承認の理由: {reason}）: {summary}"),
    "signoff.ticked": ("ticked {tick} at sign-off", "承認時に {tick} とチェック"),
    "signoff.bad_tick": ("--manual {value}: expected ITEM=done or ITEM=not-done.", "--manual {value}: ITEM=done または ITEM=not-done の形で指定してください。"),
    "signoff.bad_tick_hint": ("e.g. --manual docs-updated=done", "例: --manual docs-updated=done"),
    "signoff.not_manual": ("--manual {item}: not a manual item of this checklist.", "--manual {item}: このチェックリストの手動の項目ではありません。"),
    "signoff.manual_items": ("manual items: {items}", "手動の項目: {items}"),
    "signoff.none": ("(none)", "（なし）"),
    "signoff.no_by": ("--by is empty.", "--by が空です。"),
    "signoff.no_by_hint": ("name the person who approves, e.g. --by 'Aiko Sato'", "承認者の名前を指定してください（例: --by '佐藤 愛子'）"),
    "signoff.no_reason": ("--override needs a reason.", "--override には理由が必要です。"),
    "signoff.no_reason_hint": ("e.g. --override 'wallet fix ships tomorrow'", "例: --override 'ウォレットの修正は明日リリース'"),
}
