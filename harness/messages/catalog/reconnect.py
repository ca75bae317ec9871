"""db-reconnect (harness.checks.reconnect)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "reconnect.pass": (
        "all {n} route(s) that read the database answered without 5xx after {k} database session(s) of the app were terminated",
        "データベースを読む {n} 件のルートすべてが、アプリのデータベースセッション {k} 件を切断した後も 5xx を返さずに応答しました",
    ),
    "reconnect.fail": (
        "{n} route(s) answered 5xx right after the app's database connections were cut: {routes}",
        "アプリのデータベース接続を切断した直後に {n} 件のルートが 5xx を返しました: {routes}",
    ),
    "reconnect.answer": ("GET {path}: {answer}", "GET {path}: {answer}"),
    "reconnect.http": ("HTTP {status}", "HTTP {status}"),
    "reconnect.no_answer": ("no answer ({why})", "応答なし（{why}）"),
    "reconnect.never_answered": ("the app accepted the request and never answered", "アプリはリクエストを受け付けましたが応答しませんでした"),
    "reconnect.timed_out": ("timed out", "タイムアウト"),
    "reconnect.remedy": (
        ("the app's connection pool does not survive dropped connections: enable pool_pre_ping=True "
        "(and pool_recycle) on its engine, or catch the disconnect and retry once"),
        ("アプリの接続プールが切断された接続から回復しません。エンジンで pool_pre_ping=True（と pool_recycle）を"
        "有効にするか、切断を捕捉して一度だけ再試行してください"),
    ),
    "reconnect.remedy_outside_pool": (
        "{setting} in {where} already sets pool_pre_ping=True: the failing requests use a connection outside that pool; catch the disconnect and retry once",
        "{where} の {setting} はすでに pool_pre_ping=True を設定しています。失敗したリクエストはそのプール外の接続を使っています。切断を捕捉して一度だけ再試行してください",
    ),
    "reconnect.remedy_add_call": (
        "add pool_pre_ping=True (and pool_recycle) to {setting} in {where}",
        "{where} の {setting} に pool_pre_ping=True（と pool_recycle）を追加してください",
    ),
    "reconnect.remedy_add_key": (
        'add "pool_pre_ping": True to {setting} in {where}',
        '{where} の {setting} に "pool_pre_ping": True を追加してください',
    ),
    "reconnect.remedy_make_true": (
        "{setting} in {where} passes pool_pre_ping={value}: make it True where the app runs (and set pool_recycle)",
        "{where} の {setting} は pool_pre_ping={value} を渡しています。アプリが動く環境で True になるようにしてください（pool_recycle も設定してください）",
    ),
    "reconnect.no_route": (
        "no safe GET route to send: {n} left out (ignore, allow_5xx or a path parameter path_params does not fill)",
        "送信できる安全な GET ルートがありません（{n} 件を除外: ignore、allow_5xx、または path_params で埋まらないパスパラメーター）",
    ),
    "reconnect.hidden": (
        ("whether a route reads the database cannot be seen: the app's sessions are hidden from the harness's "
        "database role (grant it pg_read_all_stats) or track_activities is off"),
        ("ルートがデータベースを読むかどうかが見えません。アプリのセッションがハーネスのデータベースロールから見えない"
        "（pg_read_all_stats を付与してください）か、track_activities が off です"),
    ),
    "reconnect.nothing_to_judge": (
        ("no route reads the database and answered without 5xx before the cut (of {n} sent, {quiet} caused no "
        "database activity, {failed} answered 5xx or nothing), so cutting sessions would prove nothing"),
        ("切断前に 5xx を返さずに応答し、かつデータベースを読むルートがありません（送信した {n} 件のうち {quiet} 件は"
        "データベースに触れず、{failed} 件は 5xx または無応答）。セッションを切断しても何も証明できません"),
    ),
    "reconnect.no_idle_session": (
        ("no idle database session of the app was there to cut after {n} route(s) read the database (a pool that "
        "keeps no connection, such as NullPool, or another database than the target's)"),
        ("{n} 件のルートがデータベースを読んだ後も、切断できるアプリのアイドルなデータベースセッションがありませんでした"
        "（接続を保持しないプール（NullPool など）か、対象とは別のデータベース）"),
    ),
    "reconnect.bad_before_cut": ("{answer} before any cut", "切断前に {answer}"),
    "reconnect.no_activity": ("caused no database activity", "データベースに触れませんでした"),
    "reconnect.engine_setting": ("{setting} at {where}: pool_pre_ping={value}", "{where} の {setting}: pool_pre_ping={value}"),
    "reconnect.not_set": ("not set", "未設定"),
    "reconnect.na_read_only": (
        "terminating the app's database sessions needs a stack the harness runs, or allow_writes = true on a remote target (this one is read-only)",
        "アプリのデータベースセッションの切断には、ハーネスが起動するスタックか、リモートの対象での allow_writes = true が必要です（この対象は読み取り専用です）",
    ),
}
