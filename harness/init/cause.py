"""The line of a failed import that names its cause, not the last line it printed.

A traceback ends with the exception line (``ModuleNotFoundError: No module named 'x'``); a
pydantic ``ValidationError`` goes on after it with the fields at fault and a "For further
information visit …" line, which says nothing. The cause is the exception line plus those
details.
"""

from __future__ import annotations

import re

_EXCEPTION = re.compile(
    r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning|Failure|Invalid)\w*\b(:|$)"
)
_NOISE = re.compile(
    r"^\s*(For further information visit|\(Background on this error at|Traceback \(most recent call last\)|\^+$)"
)
# The app reached for a database at import time (init's placeholder address has nothing).
_CONNECTS = re.compile(
    r"OperationalError|connection (?:refused|failed|to server)|could not connect|"
    r"ConnectionRefusedError|Connect call failed|127\.0\.0\.1.{0,40}\b9\b",
    re.IGNORECASE,
)


def cause_line(output: str, limit: int = 300) -> str:
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    index = next((i for i in range(len(lines) - 1, -1, -1) if _EXCEPTION.match(lines[i])), None)
    if index is None:
        useful = [line.strip() for line in lines if not _NOISE.match(line)]
        return (useful[-1] if useful else "no output")[:limit]
    details = [line.strip() for line in lines[index + 1 :] if not _NOISE.match(line)]
    text = lines[index].strip() + (": " + _fields(details) if details else "")
    return text[:limit]


def _fields(details: list[str]) -> str:
    """pydantic's "FIELD" / "  Field required [type=missing, …]" pairs as "FIELD: Field required"."""
    out: list[str] = []
    for line in details[:8]:
        line = re.sub(r"\s*\[type=[^\]]*\]?.*$", "", line)
        if out and not out[-1].endswith(":") and re.match(r"^[\w.]+$", out[-1]) and " " in line:
            out[-1] = f"{out[-1]}: {line}"
        else:
            out.append(line)
    return "; ".join(out)


def connects_at_import(output: str) -> bool:
    """The app tried to reach a database while being imported."""
    return bool(_CONNECTS.search(output))
