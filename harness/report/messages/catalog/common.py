"""Messages any part of the harness uses."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Rendered specially (harness.report.messages.core.sentences): parts joined per language.
    "sentences": ("{parts}", "{parts}"),
}
