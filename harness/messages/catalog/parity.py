"""parity: two live environments compared (harness.checks.parity, python -m harness parity).
{a}/{b}: the two sides' names; {x}/{y}: what each has ("none" as parity.none)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "parity.fact": ("{subject}: {a} has {x}, {b} has {y}", "{subject}: {a} は {x}、{b} は {y}"),
    "parity.only": ("{subject}: only {a} has it ({x})", "{subject}: {a} にだけあります（{x}）"),
    "parity.differs": ("{subject}: {a} has {x}; {b} has {y}", "{subject}: {a} では {x}、{b} では {y}"),
    "parity.tls_soon": ("{subject}: {a}'s expires in {x} day(s) ({b}'s in {y})",
                 "{subject}: {a} の証明書はあと {x} 日で期限切れです（{b} はあと {y} 日）"),
    "parity.none": ("none", "なし"),
    "parity.title": ("parity {a} ↔ {b}: {n} difference(s)", "パリティ {a} ↔ {b}: 相違 {n} 件"),
    "parity.ignored": ("accepted until {until} by {who}: {reason}", "{until} まで許容（{who}）: {reason}"),
    "parity.nothing": ("{a} and {b} have nothing both can be read for: give both a database_url and a base_url",
                "{a} と {b} の両方で読めるものがありません。両方に database_url と base_url を設定してください"),
    "parity.agree": ("{a} and {b} agree: {what}", "{a} と {b} は一致しています: {what}"),
    "parity.disagree": ("{n} difference(s) between {a} and {b}: {first}",
                 "{a} と {b} の相違 {n} 件: {first}"),
    "parity.remedy": ("make {b} what {a} should be: apply the missing migration, create the extension, "
               "remove the hand-made object, deploy the missing route; where a difference is "
               "intended, list it in [[targets.{a}.parity.ignore]] (difference, reason, who, until)",
               "{b} を {a} と同じ状態にしてください（不足しているマイグレーションの適用、拡張の作成、"
               "手作業で作られたオブジェクトの削除、不足しているルートのデプロイ）。意図した相違なら "
               "[[targets.{a}.parity.ignore]] に difference・reason・who・until を書いてください"),
    "parity.accepted": ("{difference} ({note})", "{difference}（{note}）"),
}  # fmt: skip
