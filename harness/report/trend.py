"""The trend of one target over its last runs, read from the reports folder (no server).

Every run leaves ``reports/<UTC timestamp>-<target>/checklist.json``; the nightly job
downloads the previous nights' folders as artifacts into the same place. ``trend`` picks
the same target's earlier runs, and the report shows completion % over time as an inline
SVG, the duration trend, and which items newly fail or were fixed since the previous run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_RUNS = 10
_W, _H, _PAD = 320, 90, 8


def earlier_runs(root: Path, payload: dict[str, Any], limit: int = DEFAULT_RUNS) -> list[dict[str, Any]]:
    """Checklist payloads of the same target that started before this run, oldest first."""
    name, started = payload.get("target", {}).get("name"), payload.get("started_at") or ""
    runs = []
    for path in sorted(root.glob("*/checklist.json")) if root.is_dir() else []:
        try:
            other = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # a half-written or foreign file is not history
        same = isinstance(other, dict) and other.get("target", {}).get("name") == name
        if same and other.get("run_id") != payload.get("run_id") and (other.get("started_at") or "") < started:
            runs.append(other)
    runs.sort(key=lambda p: p.get("started_at") or "")
    return runs[-limit:]


def trend(history: list[dict[str, Any]], payload: dict[str, Any]) -> dict[str, Any] | None:
    """``{"points", "newly_failing", "newly_fixed", "svg"}``; None without earlier runs."""
    if not history:
        return None
    runs = [*history, payload]
    points = [{"started_at": r.get("started_at"), "percent": r["summary"]["percent"],
               "done": r["summary"]["done"], "total": r["summary"]["total"],
               "duration_s": r.get("duration_s")} for r in runs]  # fmt: skip
    before = {i["id"]: i["status"] for i in history[-1].get("items", [])}
    now = {i["id"]: i["status"] for i in payload.get("items", [])}
    return {
        "points": points,
        "newly_failing": [i for i, s in now.items() if s == "fail" and before.get(i) not in ("fail", None)],
        "newly_fixed": [i for i, s in now.items() if s == "pass" and before.get(i) in ("fail", "blocked")],
        "svg": svg(points),
    }


def svg(points: list[dict[str, Any]]) -> str:
    """A small line chart of completion %, one dot per run, the last one labelled."""
    n = len(points)
    step = (_W - 2 * _PAD) / max(n - 1, 1)
    xy = [(_PAD + k * step, _H - _PAD - (_H - 2 * _PAD) * float(p["percent"]) / 100.0) for k, p in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{p["started_at"]}: {p["percent"]:.1f}%</title></circle>'
        for (x, y), p in zip(xy, points, strict=True)
    )
    last_x, last_y = xy[-1]
    return (
        f'<svg id="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="100%" '
        f'style="max-width:{_W * 2}px" role="img" aria-label="completion % over {n} runs">'
        f'<line x1="{_PAD}" y1="{_PAD}" x2="{_W - _PAD}" y2="{_PAD}" stroke="#d8dee4" stroke-dasharray="3"/>'
        f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#d8dee4"/>'
        f'<text x="{_PAD + 2}" y="{_PAD + 9}" font-size="8" fill="#57606a">100%</text>'
        f'<text x="{_PAD + 2}" y="{_H - _PAD - 2}" font-size="8" fill="#57606a">0%</text>'
        f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="2"/>'
        f'<g fill="#0969da">{dots}</g>'
        f'<text x="{min(last_x, _W - 40):.1f}" y="{max(last_y - 6, 10):.1f}" font-size="10">'
        f'{points[-1]["percent"]:.0f}%</text></svg>'
    )
