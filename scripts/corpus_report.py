"""Reading a corpus run's report and writing the results (JSON and a Markdown table)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_report(folder: Path) -> dict[str, Any]:
    reports = sorted((folder / "reports").glob("*-local/checklist.json"))
    if not reports:
        return {"items": {}, "verdict": "no report"}
    document = json.loads(reports[-1].read_text())
    items = {i["id"]: i["status"] for i in document["items"] if not i.get("manual")}
    reasons = {
        i["id"]: _first_line(i)
        for i in document["items"]
        if not i.get("manual") and i["status"] not in ("pass",)
    }
    summary = document.get("summary", {})
    return {"items": items, "reasons": reasons, "verdict": _verdict(items), "summary": summary}


def _first_line(item: dict[str, Any]) -> str:
    for text in [item.get("reason"), *(item.get("remediation") or [])]:
        if text:
            return str(text).splitlines()[0][:300]
    return ""


def _verdict(items: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for status in items.values():
        counts[status] = counts.get(status, 0) + 1
    failing = [name for name, status in items.items() if status not in ("pass", "na")]
    text = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return text + (f" ({', '.join(failing)})" if failing else "")


def tail(text: str, lines: int = 8) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][-lines:]


def load_results(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def write_results(out: Path, results: dict[str, Any], order: list[str]) -> None:
    ordered = {name: results[name] for name in order if name in results}
    (out / "corpus.json").write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n")
    (out / "corpus.md").write_text(markdown(ordered))


def markdown(results: dict[str, Any]) -> str:
    head = "| app | shape | commit | edits | init exit | exit | verdict | TODO lines | seconds |\n"
    rows = [head, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"]
    for r in results.values():
        verdict = " ".join(str(r["verdict"]).split()).replace("|", "/")
        exit_code = "–" if r.get("exit") is None else r["exit"]
        rows.append(
            f"| {r['app']} ({r['repository']}) | {r.get('kind', '')} | `{r['commit'][:10]}` | "
            f"{r['edits']} | {r.get('init_exit', '–')} | {exit_code} | {verdict} | "
            f"{len(r.get('todo', []))} | {r['seconds']:.0f} |\n"
        )
    return "".join(rows)
