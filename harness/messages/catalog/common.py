"""Messages any part of the harness uses."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Rendered specially (harness.messages.core.sentences): parts joined per language.
    "sentences": ("{parts}", "{parts}"),
    "list": ("{items}", "{items}"),  # a list parameter: ", " in English, "、" in Japanese
    # A reason a person wrote (a profile's not_applicable): shown as theirs.
    "profile.reason": ("{text}", "「{text}」"),
    "results.interrupted": ("the test did not finish", "テストは完了しませんでした"),
}
