"""The "Done when" run (tests/report/scenario.py): two failing items, one waiver, three
earlier nights; rendered md/html/json in English and Japanese, compared, signed off."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import scenario
from support import REPO

from harness.cli import main
from harness.report.build import refresh_summary
from harness.report.checklist import decide_exit
from harness.report.messages import translate, translated
from harness.report.waivers import Waiver, apply_waivers, load_waivers

BLOCKING_EN = "Blocks release: routes-reachable (fail), migration-head (blocked), wallet-reward (fail), docs-updated (not run)"
BLOCKING_JA = "リリースを妨げている項目: routes-reachable (不合格), migration-head (ブロック), wallet-reward (不合格), docs-updated (未実施)"


@pytest.fixture(params=["en", "ja"])
def rendered(request, tmp_path):
    folder = scenario.write_history(tmp_path / "reports", request.param)
    files = {name: (folder / f"checklist.{name}").read_text(encoding="utf-8") for name in ("md", "html", "json")}
    return request.param, folder, files


def test_blocking_line_leads_and_failed_items_come_first(rendered):
    lang, _, files = rendered
    md = files["md"]
    blocking = BLOCKING_EN if lang == "en" else BLOCKING_JA
    assert md.splitlines()[2] == f"**{blocking}**"
    assert f'id="blocking">{blocking}</p>' in files["html"]
    rows = [line.split("|")[2].split("**")[1] for line in md.splitlines() if re.match(r"^\| (❌|⛔|⬜|✅) \| \*\*", line)]
    assert rows[:3] == ["routes-reachable", "wallet-reward", "migration-head"]
    assert rows[-1] == "schema-drift"  # failing but waived: last, it does not hold the release


def test_header_has_target_revision_db_and_run_time_in_report_tz(rendered):
    lang, _, files = rendered
    md = files["md"]
    assert "| staging (remote) |" in md and "| abc1234 |" in md and "| 16.4 · 0.8.0 · c3d4 |" in md
    assert "| 2026-11-24 03:17:00 JST |" in md  # 18:17Z in Asia/Tokyo
    assert ("12 min 34 s" if lang == "en" else "12 分 34 秒") in md


def test_rows_say_what_happened_with_observed_and_expected(rendered):
    lang, _, files = rendered
    md = files["md"]
    wallet = next(line for line in md.splitlines() if "**wallet-reward**" in line)
    assert "balance_rise: 14 ≠ 7" in wallet and "ledger_credits: [7, 7] ≠ [7]" in wallet
    if lang == "en":
        assert "balance rose by 14, expected exactly the bounty 7" in wallet
    else:
        assert "残高が 14 増えました（期待値はちょうど報酬額の 7）" in wallet
        assert "対処: 完了で複数回支払われています" in wallet


def test_evidence_tables_per_check(rendered):
    lang, _, files = rendered
    md = files["md"]
    if lang == "en":
        assert "| method | path | sent | answered |" in md
        assert "| POST | /api/v1/tasks/{id}/complete | POST {} | HTTP 404 not from the app: server 'nginx', text/html, body '<html>' |" in md
        assert "| step | status | balance |" in md and "| reward credited (balance rise) | wrong | 14 ≠ 7 |" in md
        assert "| object | live database | migrations |" in md
        assert "| column users.credits | has integer NOT NULL DEFAULT 0 | does not create it |" in md
    else:
        assert "| メソッド | パス | 送信内容 | 応答 |" in md
        assert "| オブジェクト | 対象DB（稼働中のスキーマ） | マイグレーション |" in md
        assert "| POST | /api/v1/tasks/{id}/complete | POST {} | HTTP 404（アプリ以外からの応答）: server 'nginx'" in md
    assert "<table class=\"ev\">" in files["html"]
    raw = json.loads(files["json"])
    drift = next(i for i in raw["items"] if i["id"] == "schema-drift")
    assert drift["evidence"][0]["evidence"]["differences"] == [scenario.DRIFT]  # raw JSON stays


def test_waiver_shows_and_does_not_gate_expired_one_says_so(rendered):
    lang, _, files = rendered
    md, raw = files["md"], json.loads(files["json"])
    if lang == "en":
        assert "waived until 2099-12-31 by Aiko Sato: kept for compatibility with the v1 client [users.credits]" in md
        assert "waiver expired on 2020-01-01 (by Ken Ito: old proxy rule): the finding counts again" in md
        assert "- schema-drift [users.credits]: waived until 2099-12-31 by Aiko Sato" in md  # sign-off lists it
    else:
        assert "2099-12-31 まで免除（Aiko Sato）: kept for compatibility with the v1 client [users.credits]" in md
    items = {i["id"]: i for i in raw["items"]}
    assert items["schema-drift"]["waived"] is True and "waived" not in items["routes-reachable"]
    refresh_summary(raw)
    assert "schema-drift" not in raw["summary"]["required_not_passing"]


def test_trend_of_the_three_earlier_nights(rendered):
    lang, _, files = rendered
    raw = json.loads(files["json"])
    assert [p["percent"] for p in raw["trend"]["points"]] == [31.2, 37.5, 37.5, 25.0]
    assert raw["trend"]["newly_failing"] == ["wallet-reward"] and raw["trend"]["newly_fixed"] == []
    assert files["html"].count("<circle ") == 4 and 'id="trend-chart"' in files["html"]
    assert f"| 2026-11-21 03:17:00 JST | 5/16 (31.2%) | {'10 min 00 s' if lang == 'en' else '10 分 00 秒'} |" in files["md"]


def test_a_waived_item_does_not_fail_the_run_an_unwaived_one_does():
    payload = scenario.build()
    drift = [i for i in payload["items"] if i["id"] == "schema-drift"]
    assert decide_exit(1, drift, other_failures=False, target_unavailable=False) == 0
    apply_waivers(payload, [], date(2026, 11, 24))
    assert decide_exit(1, drift, other_failures=False, target_unavailable=False) == 1
    expired = Waiver("schema-drift", "x", "Ken Ito", date(2026, 11, 1), finding="users.credits")
    apply_waivers(payload, [expired], date(2026, 11, 24))
    assert decide_exit(1, drift, other_failures=False, target_unavailable=False) == 1
    assert drift[0]["waivers"][0]["active"] is False


def test_waivers_file_is_validated(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text('[[waivers]]\nitem = "schema-drift"\nreason = "r"\nwho = "w"\nexpires = "2026-12-31"\n', encoding="utf-8")
    with pytest.raises(Exception, match="expires: required, a TOML date"):
        load_waivers(path)
    path.write_text('[[waivers]]\nitem = "schema-drift"\nreason = "r"\nwho = "w"\nexpires = 2026-12-31\nfinding = "users.credits"\n', encoding="utf-8")
    assert load_waivers(path)[0].covers(scenario.DRIFT)
    assert load_waivers(tmp_path / "none.toml") == []


def test_compare_flags_a_changed_cause_and_pass_to_blocked(tmp_path, capsys):
    folder = scenario.write_history(tmp_path / "reports")
    previous = tmp_path / "reports" / "20261122T181700Z-staging"
    old = json.loads((previous / "checklist.json").read_text(encoding="utf-8"))
    routes = next(i for i in old["items"] if i["id"] == "routes-reachable")
    routes["evidence"][0]["summary"] = "1 of 3 expected route(s) not reachable through http://127.0.0.1:8000: other"
    (previous / "checklist.json").write_text(json.dumps(old), encoding="utf-8")
    assert main(["compare", "--lang", "ja", str(previous), str(folder)]) == 1
    out = capsys.readouterr().out
    assert "新たに不合格" in out and "新たにブロック" in out and "原因が変化" in out
    assert "newly" not in out  # one language
    assert main(["compare", "--markdown", str(previous), str(folder)]) == 1
    md = capsys.readouterr().out
    assert md.splitlines()[0] == f"**{BLOCKING_EN}**" and "⚠️ `cause changed  routes-reachable" in md


def test_signoff_history_keeps_every_approval_and_tick(tmp_path, capsys):
    folder = scenario.write_history(tmp_path / "reports")
    waivers = ["--waivers", str(scenario.write_waivers(tmp_path / "waivers.toml"))]
    override = ["--override", "wallet fix ships tomorrow", *waivers]
    assert main(["signoff", str(folder), "--by", "Aiko Sato", "--manual", "docs-updated=done", *override]) == 0
    assert main(["signoff", str(folder), "--by", "Ken Ito", "--manual", "release-notes=done", *override]) == 0
    raw = json.loads((folder / "checklist.json").read_text(encoding="utf-8"))
    assert [s["by"] for s in raw["signoffs"]] == ["Aiko Sato", "Ken Ito"]
    assert raw["signoffs"][0]["waivers"][0]["finding"] == "users.credits"
    docs = next(i for i in raw["items"] if i["id"] == "docs-updated")
    assert docs["ticked"]["by"] == "Aiko Sato" and docs["ticked"]["tick"] == "done"
    md = (folder / "checklist.md").read_text(encoding="utf-8")
    assert "approved by Aiko Sato (Override reason: wallet fix ships tomorrow); manual ticks: docs-updated=done" in md
    assert "approved by Ken Ito" in md and "ticked done by Aiko Sato at " in md
    html = (folder / "checklist.html").read_text(encoding="utf-8")
    assert html.count("<li>") >= 2 and "Ken Ito" in html


def test_name_placeholder_in_remedies_is_filled():
    payload = scenario.build()
    item = next(i for i in payload["items"] if i["id"] == "health")
    item["status"], item["remediation"] = "fail", ["no route at /h: set [targets.NAME.health] path to the app's health route"]
    from harness.report.present import row

    assert row(item, payload, "en", None)["remedies"] == ["no route at /h: set [targets.staging.health] path to the app's health route"]
    assert row(item, payload, "ja", None)["remedies"][0].startswith("/h にルートがありません。[targets.staging.health]")


# Every summary and remedy the checks emit (their f-strings with sample values), per item.
EMITTED = {
    "health": ["/health answered 200 in 0.05s", "/health answered HTTP 503, expected 200",
               '/health body {"ok": false} does not match {"ok": true}', "/health took 2.31s, over the latency budget of 1s",
               "renew the TLS certificate (or fix its automatic renewal) before it expires",
               "the app reports itself unhealthy: read its logs; check its database connection",
               "no route at /health: set [targets.NAME.health] path to the app's health route",
               "the health body says the app is not ok; if the app's format differs, set health.expect",
               "the health route is slow: look for a slow DB query or a cold pool behind it"],
    "routes": ["all 13 expected routes are served", "2 expected route(s) not served: GET /a, GET /b",
               "1 unexpected route(s) served: GET /debug", "apparently moved: /api/v1/x -> /x",
               "could not read the served route list: GET http://x/openapi.json answered HTTP 404",
               "a router is mounted under the wrong prefix: fix its include_router(prefix=...) (FastAPI) or register_blueprint(url_prefix=...) (Flask)",
               "mount the missing routers (FastAPI include_router / Flask register_blueprint, with its prefix); if the change is intended, regenerate the expected list: python -m harness routes snapshot --target NAME --out FILE",
               "remove the routes not in the contract (debug/admin endpoints) or, if intended, add them to the expected list: python -m harness routes snapshot --target NAME --out FILE"],
    "routes-reachable": ["all 13 expected routes answered from the app", f"2 of 3 expected route(s) not reachable through http://x: {scenario.REACH[1]}",
                         "the reverse proxy/ingress does not forward these paths to the app: add a rule", "see the answers in the evidence",
                         "the connection was refused: check base_url and that the service listens"],
    "pgvector": ["pgvector 0.8.0 installed in schema public (minimum 0.5.0)", "pgvector 0.4.0 is older than the minimum 0.5.0",
                 "ALTER EXTENSION vector UPDATE;", "ask your provider for pgvector >= 0.5.0 (the server offers 0.4.0)",
                 "CREATE EXTENSION vector; (or a first migration that runs it)"],
    "pgvector-usable": ["vector(3) + HNSW index + <-> query work, nearest first", "<-> returned rows in the order [2, 1, 3], nearest first is [1, 2, 3]",
                        "upgrade pgvector to >= 0.5.0 (HNSW) and check the role may use the vector type"],
    "migration-head": ["the database is at the script head c3d4", "the database is behind: at a1b2, script head is c3d4 (1 revision(s) not applied: c3d4)",
                       "alembic upgrade head (in the release step, before the app starts)", "alembic upgrade head",
                       "the scripts have 2 heads (a, b): a merge revision is needed"],
    "schema-drift": ["the live schema equals the migrations replayed to c3d4", "1 difference(s) between the live schema and its migrations: users.credits",
                     "fix the failing migration so that alembic upgrade head works on a fresh database"],
    "models-match": ["the live schema has every table and column of app.models",
                     "the code expects 1 thing(s) the database lacks: item.note (every request touching them answers 500)",
                     "write the migration that creates them (alembic revision --autogenerate), deploy it and run alembic upgrade head",
                     "the live schema matches app.models:Base.metadata as Alembic's autogenerate compares them (3 tables, options from env.py)",
                     "the live schema matches app.models:Base.metadata as Alembic's autogenerate compares them (3 tables, options from Alembic's defaults)",
                     ("the models and the live database differ in 2 thing(s) (missing, nullability differs): "
                      "ledger_entries index ix_ledger_entries_operation (operation), ledger_entries.amount"),
                     ("make the migrations and the models agree: alembic revision --autogenerate writes the operations shown in the evidence "
                      "(review them, deploy, alembic upgrade head), or change the models. An object another tool owns goes in env.py's include_object")],
    "migration-roundtrip": [
        ("5 revision(s) (0001 to 0005) stepped up, down to base and up again on an empty database: the version table "
         "followed every step and each downgrade gave back the schema its upgrade found"),
        ("2 revision(s) (0004 to 0005) stepped up, down to 0003 and up again on a copy of the live data: the version table "
         "followed every step and each downgrade gave back the schema its upgrade found; 1 older revision(s) without a "
         "downgrade only upgraded: 0003"),
        ('revision 0002 fails (downgrade to 0001) on an empty database: UndefinedObject: index "ix_ledger_entries_nonce_typo" '
         "does not exist; statement: DROP INDEX ix_ledger_entries_nonce_typo"),
        "revision 0001 fails (upgrade) on an empty database: UndefinedTable: relation \"legacy\" does not exist",
        "revision 0004 fails (upgrade after its downgrade) on a copy of the live data: DuplicateTable: relation \"x\" already exists",
        ("the downgrade of revision 0002 does not undo its upgrade: at 0001 again the schema differs from before the "
         "upgrade (1 difference(s)): ledger_entries index ix_ledger_entries_nonce"),
        "revision 0003 builds another schema when upgraded again after its downgrade (1 difference(s)): column users.note",
        ("fix downgrade() of revision 0002: it must undo exactly what upgrade() did, dropping the objects by the names "
         "upgrade() created them with"),
        ("fix upgrade() of revision 0001 so that it applies to an empty database (alembic upgrade head on a fresh database "
         "is how CI and a new environment build the schema)"),
        "make downgrade() of revision 0002 undo every change of its upgrade(): drop what it created, restore what it dropped or altered",
        "make downgrade() of revision 0003 remove everything its upgrade() creates, so that upgrading again builds the same schema",
        "not run: the scripts have 2 heads (0005, 0006), see migration-head",
        "not run: the live database records no revision, see migration-head",
        "n/a: no revision is pending on the live database (it is at 0005): the whole history is round-tripped on a stack the harness runs",
        "n/a: no revision has a downgrade (each downgrade() only passes or raises): the app does not support downgrades",
        ("n/a: the newest revision 0005 has no downgrade (its downgrade() only passes or raises, or it is a merge), so "
         "nothing can be stepped down"),
        "n/a: production = true: the live database is not copied (set [rehearsal] on_production = true to round-trip on a copy)"],
    "wallet-reward": ["bounty 7 credited once, ledger balanced", "balance rose by 14, expected exactly the bounty 7; ledger credits for the task are [7, 7], expected exactly [7]",
                      "completion paid more than once: make the payout happen once per completion",
                      "the amount credited differs from the bounty debited: credit exactly the task's bounty"],
    "wallet-idempotent": ["a repeated and a concurrent completion paid once",
                          ("a second completion of task 2 answered HTTP 200, expected 409 (refused); completing a task twice paid 4 time(s): "
                           "balance rose by 28 for a bounty of 7, ledger credits [7, 7, 7, 7]; 10 concurrent completions paid 20 time(s): "
                           "balance rose by 140 for a bounty of 7, ledger credits [7, 7]; 10 of 10 concurrent completions succeeded, expected exactly 1"),
                          "1 of 10 concurrent completions failed with a server error or no answer: [500]",
                          "concurrent completions were refused with [400], expected 409",
                          "lock the task row (SELECT … FOR UPDATE) and refuse a completed task with 409, paying in the same transaction"],
    "cleanup": ["tagged rows removed; fingerprint after == before", "no throwaway schema or database of this run is left",
                "left behind after the run: hv_1234"],
}  # fmt: skip


# The HTTP fixture's reason where the app was left out (harness.plugin.needs), under any HTTP item.
EMITTED["health"].append("not run: the app was not started: every module named on the command line declares HARNESS_NEEDS_APP = False")


@pytest.mark.parametrize(("item", "text"), [(i, t) for i, texts in EMITTED.items() for t in texts])
def test_every_summary_and_remedy_has_a_japanese_text(item, text):
    assert translated(item, text), f"no ja text for {item}: {text}"
    ja = translate(item, text, "ja")
    assert ja and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja)
    assert "本番" not in ja  # the runs are staging; 本番 means production only


def test_untranslated_text_falls_back_to_english():
    assert translate("health", "something entirely new", "ja") == "something entirely new"


def test_signoff_applies_todays_waivers_file(tmp_path, capsys):
    folder = scenario.write_history(tmp_path / "reports")
    waivers = scenario.write_waivers(tmp_path / "waivers.toml")
    waivers.write_text(waivers.read_text(encoding="utf-8").replace("2099-12-31", "2021-01-01"), encoding="utf-8")
    args = ["signoff", str(folder), "--by", "Aiko Sato", "--manual", "docs-updated=done", "--waivers", str(waivers)]
    assert main(args) == 1  # the drift waiver expired since the run: schema-drift holds the release again
    assert "schema-drift (fail)" in capsys.readouterr().err


def test_every_status_renders_even_unknown_ones():
    payload = scenario.build()
    for item, status in zip(payload["items"][-4:], ("na", "interrupted", "skipped-by-magic", "not_run"), strict=True):
        item["status"] = status
    refresh_summary(payload)
    from harness.report.render import render_html, render_markdown

    for lang in ("en", "ja"):
        md, html = render_markdown(payload, lang), render_html(payload, lang)
        html = re.sub(r'<svg class="mark" data-mark="([\w-]+)".*?</svg>', r"[\1]", html)  # drawn marks
        assert ("[na] n/a" if lang == "en" else "[na] 対象外") in html and "skipped-by-magic" in md
        assert ("[interrupted] interrupted" if lang == "en" else "[interrupted] 中断") in html
        assert "[skipped-by-magic] skipped-by-magic" in html


def test_counts_line_shows_rare_statuses_only_when_present():
    from harness.report.render import render_markdown

    payload = scenario.build()
    assert "interrupted" not in render_markdown(payload, "en").split("\n\n")[3]
    assert "➖ n/a: 1" in render_markdown(payload, "en")  # parity: no counterpart named
    payload["items"][-1]["status"] = "interrupted"
    assert "⏸ interrupted: 1" in render_markdown(payload, "en")


def test_evidence_renderers_read_alembic_ops_the_right_way_round():
    from harness.report.evidence import render_check

    check = {"item": "models-match", "ok": False, "summary": "s", "expected": {"missing": []}, "evidence": {
        "missing": ["item.note: column the models define is missing (TEXT)", "users.age: the models expect INTEGER, the database has TEXT"],
        "only_in_database": ["legacy: table in the database, not in the models",
                             "add_index: (Index('ix_item_title', Column('title', String())),)",
                             "remove_index: (Index('ix_old', Column('x', Integer())),)"]}}  # fmt: skip
    (table,) = render_check(check)
    assert table.headers == ["object", "live database", "models"]
    assert table.rows == [
        ["column item.note", "missing", "TEXT"],
        ["users.age", "TEXT", "INTEGER"],
        ["table legacy", "has it", "not defined"],
        ["index ix_item_title", "missing", "defines it"],  # add_* = the models have it, whatever the old label
        ["index ix_old", "has it", "not defined"],
    ]


def test_routes_renderer_and_fallbacks():
    from harness.report.evidence import render_check

    routes = {"item": "routes", "ok": False, "summary": "s", "expected": {}, "evidence": {
        "missing": ["GET /api/v1/items/"], "unexpected": ["GET /items/", "GET /api/debug/echo"],
        "moved": {"GET /api/v1/items/": "GET /items/"}}}  # fmt: skip
    assert render_check(routes)[0].rows == [
        ["GET", "/api/v1/items/", "—", "not served (served as GET /items/)"],
        ["GET", "/api/debug/echo", "—", "served, not in the expected list"],
    ]
    drift = {"item": "schema-drift", "ok": False, "summary": "s", "evidence": {"differences": ["something new"]}}
    assert render_check(drift)[0].rows == [["something new", "", ""]]  # unparsed lines still show, whole
    other = {"item": "pgvector", "ok": False, "summary": "s", "evidence": {"extension": None}, "expected": {"extension": ">= 0.5"}}
    assert render_check(other)[0].rows == [["extension", "—", ">= 0.5"]]
    odd = {"item": "routes-reachable", "ok": False, "summary": "s", "evidence": {"answers": 3}, "expected": {}}
    assert render_check(odd)[0].headers == ["key", "observed", "expected"]  # a shape it cannot read: generic


def test_misspelt_report_tz_or_broken_waivers_is_a_usage_error(demo_factory):
    project = demo_factory()
    run = project.run("suites/test_all_pass.py", "--target=demo", "--report-tz=Asia/Tokio")
    assert run.ret == 4 and "--report-tz: unknown time zone 'Asia/Tokio'" in run.stderr
    (project.path / "waivers.toml").write_text('[[waivers]]\nitem = "health"\n', encoding="utf-8")
    run = project.run("suites/test_all_pass.py", "--target=demo")
    assert run.ret == 4 and "waivers[0].reason: required" in run.stderr
    assert run.statuses()["health"] == "blocked"  # the report still says why nothing ran
    (project.path / "waivers.toml").write_text(
        '[[waivers]]\nitem = "helth"\nreason = "r"\nwho = "w"\nexpires = 2099-01-01\n', encoding="utf-8"
    )
    run = project.run("suites/test_all_pass.py", "--target=demo")
    assert run.ret == 4 and "waivers[0].item: 'helth' is not an item" in run.stderr
    assert "did you mean 'health'?" in run.stderr
    assert run.statuses()["health"] == "blocked"


def test_nightly_job_compares_with_the_previous_night_into_the_job_summary():
    text = (REPO / ".github" / "workflows" / "nightly-staging.yml").read_text(encoding="utf-8")
    assert "gh run download" in text and "cp -r \"$dir\" reports/" in text  # earlier nights → trend
    assert 'python -m harness compare --markdown --lang "$REPORT_LANG" "$PREVIOUS_DIR" "$REPORT_DIR" >> "$GITHUB_STEP_SUMMARY"' in text
    assert text.index("harness compare --markdown") < text.index('cat "$REPORT_DIR/checklist.md" >> "$GITHUB_STEP_SUMMARY"')
