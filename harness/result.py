"""What a check returns: a verdict, the evidence behind it and what a person should do."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.errors import CheckFailure


@dataclass
class CheckResult:
    """The outcome of one check.

    ``evidence`` maps a title to what was observed (JSON-serialisable), ``expected`` what the
    check wanted. ``remediation`` is one line a person can act on; only shown on failure.
    """

    item: str
    ok: bool
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    remediation: str | None = None

    @classmethod
    def passed(cls, item: str, summary: str, **evidence: Any) -> CheckResult:
        return cls(item=item, ok=True, summary=summary, evidence=evidence)

    @classmethod
    def failed(
        cls,
        item: str,
        summary: str,
        *,
        remediation: str,
        expected: dict[str, Any] | None = None,
        **evidence: Any,
    ) -> CheckResult:
        return cls(
            item=item,
            ok=False,
            summary=summary,
            evidence=evidence,
            expected=expected or {},
            remediation=remediation,
        )

    def describe(self) -> str:
        """Multi-line text for the pytest failure message: summary, evidence, remedy."""
        lines = [f"[{self.item}] {self.summary}"]
        for title, value in self.evidence.items():
            lines.append(f"  observed {title}: {_short(value)}")
        for title, value in self.expected.items():
            lines.append(f"  expected {title}: {_short(value)}")
        if self.remediation:
            lines.append(f"  remedy: {self.remediation}")
        return "\n".join(lines)

    def raise_for_failure(self) -> CheckResult:
        if not self.ok:
            raise CheckFailure(self)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "ok": self.ok,
            "summary": str(self.summary),  # a Message is a str: plain text crosses the xdist wire
            "evidence": _jsonable(self.evidence),
            "expected": _jsonable(self.expected),
            "remediation": None if self.remediation is None else str(self.remediation),
        }


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(_jsonable(value), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so reports never choke on a Decimal, datetime or Path."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))
