"""What ``python -m harness init`` writes into a profile (harness.init), as reason codes.

A reason init writes (``not_applicable = { pgvector = "…" }``) is the English text of one of
these ids; reading the profile turns that exact text back into its id (``reason_code``),
so the Japanese report shows it in Japanese. A reason a person wrote stays as written.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "init.na.no_vector": ("the app's migrations create no vector extension", "アプリのマイグレーションは vector 拡張を作成しません"),
    "init.na.no_wallet": ("the app has no wallet routes (declare a flow to check its own)", "アプリにウォレットのルートがありません（アプリ自身のフローを確認するにはフローを宣言してください）"),
}
