"""The app's own errors, read from its log (``app.log`` of a locally served app).

A route that answered 500 left a traceback in the log the harness writes for the app it
serves; nobody opens that file. These helpers find the tracebacks logged after a given byte
offset and reduce each to what a person needs first: the exception line and the last frame
(of the app's own code when there is one, else the last at all), masked before they leave.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.secrets import redact

TRACEBACK = "Traceback (most recent call last):"
# Chained exceptions: the traceback that follows replaces the one before (the last is raised).
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$')
_GROUP_BAR = re.compile(r"^\s*\| ?")  # "  | File ..." inside an exception group
_GROUP_RULE = re.compile(r"^\s*\+[-+]")  # "  +-+---- 1 ----" between its members
_LIBRARY = re.compile(r"[/\\](site|dist)-packages[/\\]|[/\\]lib[/\\]python\d[\d.]*[/\\]")
MAX_READ = 2_000_000  # bytes: a chatty log must not be read whole for one failing test
MAX_ERRORS = 3


def log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_since(path: Path, offset: int) -> str:
    """What the log gained after ``offset`` (at most ``MAX_READ`` bytes, the latest)."""
    try:
        with path.open("rb") as log:
            end = log.seek(0, 2)
            log.seek(max(offset, end - MAX_READ))
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def app_errors(text: str, limit: int = MAX_ERRORS) -> list[dict[str, str]]:
    """The last ``limit`` distinct errors in ``text``: ``{"error", "frame", "code"}``, masked."""
    errors: list[dict[str, str]] = []
    for block, chained in _blocks(text.splitlines()):
        error = _reduce(block)
        if error is None:
            continue
        if chained and errors:
            errors.pop()  # the exception raised while handling it is the one that escaped
        errors.append(error)
    distinct = list({(e["error"], e["frame"]): e for e in errors}.values())
    return distinct[-limit:]


def _blocks(lines: list[str]) -> list[tuple[list[str], bool]]:
    """Each traceback's lines (from its frames to its exception line), and whether it was
    chained to the one before."""
    blocks: list[tuple[list[str], bool]] = []
    current: list[str] | None = None
    chained = False
    for raw in lines:
        line = _ungroup(raw)
        head = line.strip()
        if head.startswith(_CHAINED):
            chained = True
        elif head.startswith((TRACEBACK, "Exception Group Traceback")):
            current = []
            blocks.append((current, chained))
            chained = False
        elif current is not None:
            current.append(line)
            if line and not line[0].isspace() and not _FRAME.match(line):
                current = None  # the exception line ends the traceback
    return blocks


def _ungroup(line: str) -> str:
    """A line of an exception group (``  | File ...``, ``  +---- 1 ----``) as a plain one."""
    if _GROUP_BAR.match(line):
        return _GROUP_BAR.sub("", line, count=1)
    return "" if _GROUP_RULE.match(line) else line


def _reduce(block: list[str]) -> dict[str, str] | None:
    frames = [(m, block[n + 1].strip() if n + 1 < len(block) else "")
              for n, line in enumerate(block) if (m := _FRAME.match(line))]  # fmt: skip
    error = next((ln for ln in reversed(block) if ln and not ln[0].isspace()), "")
    if not error:
        return None
    own = [(m, code) for m, code in frames if not _LIBRARY.search(m["file"])]
    chosen = own or frames
    frame, code = "", ""
    if chosen:
        match, code = chosen[-1]
        frame = f"{_short(match['file'])}:{match['line']} in {match['func'].strip()}"
    return {"error": redact(error.strip())[:300], "frame": redact(frame)[:200], "code": redact(code)[:200]}


def _short(path: str) -> str:
    """The last three parts of a path: enough to find the file, short enough to read."""
    parts = re.split(r"[/\\]", path)
    return "/".join(parts[-3:])
