"""The HTML report opened in headless Chromium: the table is there in the rendered DOM, and
at 390, 1280 and 1920 px nothing sticks out sideways, every column shows, the blocking line
is on the first screen, the status marks are drawn (no emoji font needed) and a Japanese font
the page names is installed, so the screenshots show real glyphs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian: apt-get install -y chromium; .ci/run does it)")


def dump_dom(html_file: Path, profile: Path) -> str:
    """The DOM after rendering; every network feature off so a stray fetch would show up missing."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--window-size=390,844", "--dump-dom", html_file.as_uri()],
        check=False, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class RowText(HTMLParser):
    """Text of each ``<tr>`` of ``table#items`` (not of the evidence tables inside it)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "items") in attrs:
            self.in_table = True
        elif self.in_table and tag == "table":
            self.depth += 1
        elif self.depth:
            return
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "table":
            self.in_table = False
        elif self.depth:
            return
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_headless_chromium_renders_the_table(mixed_run, tmp_path):
    dom = dump_dom(mixed_run.folder / "checklist.html", tmp_path / "profile")
    assert "Phase 1 demo: 2/16 items (12.5%)" in dom
    parser = RowText()
    parser.feed(dom)
    header, *rows = parser.rows
    assert header == ["Status", "Item", "Required", "Tests", "Duration"]
    by_id = {row[1].split(" ")[0]: row for row in rows}
    assert len(rows) == 17  # parity's row too: n/a, no counterpart named
    assert by_id["health"][0] == "pass"
    assert by_id["pgvector"][0] == "fail" and by_id["pgvector"][3] == "1"
    assert "Remedy: run CREATE EXTENSION vector; as the database owner" in by_id["pgvector"][1]
    assert by_id["migration-head"][0] == "blocked the database could not be reached"
    assert by_id["wallet-reward"][0] == "not run"
    assert re.search(r'<td class="status st-pass" data-label="Status"><svg class="mark" data-mark="pass"', dom)
    assert by_id["docs-updated"][2] == "yes (manual)"


def render_in_chromium(html_file: Path, profile: Path, width: int, screenshot: Path | None = None) -> str:
    """The page in an iframe exactly ``width`` px wide (headless Chromium will not make a window
    narrower than 500 px; inside the frame the page's viewport and media queries are ``width``).
    The page's own script may write into the frame's parent: file pages may reach each other."""
    frame = html_file.with_name(f"frame-{width}.html")
    frame.write_text(f'<!DOCTYPE html><html><body style="margin:0"><iframe src="{html_file.name}" '
                     f'style="width:{width}px;height:900px;border:0"></iframe></body></html>', encoding="utf-8")  # fmt: skip
    flags = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--allow-file-access-from-files", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--window-size={max(width, 500)},900"]  # fmt: skip
    if screenshot is not None:
        shot = subprocess.run([*flags, f"--screenshot={screenshot}", frame.as_uri()],
                              check=False, capture_output=True, text=True, timeout=90)  # fmt: skip
        assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    done = subprocess.run([*flags, "--dump-dom", frame.as_uri()], check=False, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# Written into the page by the page itself once laid out (read back through --dump-dom):
# the page's width against the viewport's, every item cell's and header's box, anything
# sticking out (but inside the evidence tables, which scroll sideways by design).
MEASURE = """<script>
(function () {
  var root = document.documentElement, vw = root.clientWidth;
  function box(el) { var r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; }
  var cells = [], heads = [], wide = [];
  document.querySelectorAll('#items > tbody > tr > td').forEach(function (td) {
    var b = box(td); b.row = td.parentElement.id; b.col = td.cellIndex; cells.push(b); });
  document.querySelectorAll('#items > thead th').forEach(function (th) {
    var b = box(th); b.text = th.textContent; b.shown = th.getClientRects().length > 0; heads.push(b); });
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('.scroll') || el.tagName === 'SCRIPT') return;
    var r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 0.5) wide.push(el.tagName + '#' + el.id + ' ' + Math.round(r.right));
  });
  var out = {scrollWidth: root.scrollWidth, clientWidth: vw, innerHeight: window.innerHeight,
             blocking: box(document.getElementById('blocking')), cells: cells, heads: heads,
             wide: wide.slice(0, 20), font: getComputedStyle(document.body).fontFamily};
  var into = window.parent !== window ? window.parent.document : document;  // the frame's parent
  var pre = into.createElement('pre'); pre.id = 'measure'; pre.textContent = JSON.stringify(out);
  into.body.appendChild(pre);
  var copy = into.createElement('textarea'); copy.id = 'framed'; copy.textContent = root.outerHTML;
  into.body.appendChild(copy);  // the rendered page itself, for the assertions on its content
})();
</script>"""
EMOJI_MARKS = "✅❌⛔⬜➖⏸"


def japanese_fonts() -> set[str]:
    """Families fontconfig has for Japanese (what Chromium falls back to); skip without one."""
    fc_list = shutil.which("fc-list")
    listed = subprocess.run([fc_list, ":lang=ja", "family"], check=False, capture_output=True, text=True,
                            timeout=30).stdout if fc_list else ""  # fmt: skip
    families = {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}
    if not families:
        pytest.skip("no Japanese font installed, a screenshot would show boxes "
                    "(Debian: apt-get install -y fonts-ipafont-gothic; scripts/dev-setup.sh does it)")
    return families


def measured(dom: str) -> tuple[dict, str]:
    """What the page measured, and its rendered DOM (both written into the frame's parent)."""
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.DOTALL)
    page = re.search(r'<textarea id="framed">(.*?)</textarea>', dom, re.DOTALL)
    assert found and page, "the measuring script did not run"
    return json.loads(unescape(found.group(1))), unescape(page.group(1))


def assert_fits(m: dict, width: int) -> None:
    assert m["clientWidth"] == width
    assert m["scrollWidth"] <= m["clientWidth"], f"the page is {m['scrollWidth']} px wide: {m['wide']}"
    assert m["wide"] == []
    for cell in m["cells"]:  # every column of every row is on the page and has room
        assert cell["width"] > 0 and cell["left"] >= 0 and cell["right"] <= width + 0.5, cell
    shown = [h for h in m["heads"] if h["shown"]]
    assert len(shown) == (5 if width >= 640 else 0)  # under 40rem the rows are cards, labelled
    for head in shown:
        assert head["width"] >= 30 and head["right"] <= width + 0.5, head
    line = m["blocking"]  # on the first screen, whole
    assert line["height"] > 0 and line["top"] >= 0 and line["bottom"] <= m["innerHeight"] and line["right"] <= width + 0.5


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_blocking_line_trend_and_waiver_in_chromium(tmp_path, lang, width):
    import scenario

    fonts = japanese_fonts()
    folder = scenario.write_history(tmp_path / "reports", lang, long_ids=True)
    page = folder / "checklist.html"
    html = page.read_text(encoding="utf-8")
    stack = re.search(r"body \{ font-family: ([^;]+);", html)
    assert stack and {"Noto Sans CJK JP", "IPAGothic", "Hiragino Sans", "Yu Gothic", "Meiryo"} <= {
        name.strip().strip('"') for name in stack.group(1).split(",")}  # fmt: skip
    assert fonts & {name.strip().strip('"') for name in stack.group(1).split(",")}, f"installed: {fonts}"
    assert not set(EMOJI_MARKS) & set(html), "a status mark needs an emoji font"
    page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    shots = Path(__import__("os").environ.get("HARNESS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    measures, dom = measured(render_in_chromium(page, tmp_path / "profile", width, shots / f"report-{lang}-{width}.png"))
    assert_fits(measures, width)
    blocking = re.search(r'<p class="blocking bad" id="blocking">([^<]+)</p>', dom)
    assert blocking and blocking.group(1).startswith("Blocks release: routes-reachable" if lang == "en" else "リリースを妨げている項目: routes-reachable")
    assert ("migration-head (blocked: the database was restarting)" if lang == "en"
            else "migration-head (ブロック: データベースが再起動中でした)") in blocking.group(1)  # fmt: skip
    assert dom.count("<circle ") == 4 and "<polyline points=" in dom  # the trend chart, inline SVG
    assert re.search(r'<tr id="item-schema-drift" data-status="fail" data-waived="true">', dom)
    waiver = "waived until 2099-12-31 by Aiko Sato" if lang == "en" else "2099-12-31 まで免除（Aiko Sato）"
    assert f'<div class="waiver">{waiver}' in dom
    first_row = re.search(r'<tbody>\s*<tr id="item-([\w-]+)"', dom)
    assert first_row and first_row.group(1) == "routes-reachable"
    assert dom.count('<svg class="mark" data-mark=') >= 16  # one per item row at least
