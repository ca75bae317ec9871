"""routes-reachable (harness.checks.reachability, harness.checks.probing)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "reach.pass": ("all {n} expected routes answered from the app", "期待される {n} 件のルートすべてにアプリが応答しました"),
    "reach.options_only": ("{n} writing route(s) only probed with OPTIONS", "書き込みルート {n} 件は OPTIONS でのみ確認しました"),
    "reach.fail": (
        "{n} of {m} expected route(s) not reachable through {url}: {named}",
        "期待される {m} 件中 {n} 件のルートに {url} 経由で到達できません: {named}",
    ),
    "reach.more": ("and {n} more", "ほか {n} 件"),
    "reach.line": ("{route} -> {sent}: {detail}", "{route} -> {sent}: {detail}"),
    "reach.the_app": ("the app", "アプリ"),
    "reach.from_app": ("HTTP {status} from the app", "HTTP {status}（アプリからの応答）"),
    "reach.not_from_app": ("HTTP {status} not from the app: {looks}", "HTTP {status}（アプリ以外からの応答）: {looks}"),
    "reach.app_no_route": (
        "HTTP 404 from the app, which has no such route: {snippet}", "HTTP 404（アプリにそのルートなし）: {snippet}",
    ),
    "reach.app_itself": ("HTTP 404 from the app itself: {snippet}", "HTTP 404（アプリ自身の応答）: {snippet}"),
    "reach.id_missing": (
        "{detail} (an id that does not exist: OPTIONS {path} answered {status})",
        "{detail}（存在しない ID: OPTIONS {path} は {status} を返しました）",
    ),
    "reach.allowed_5xx": ("{detail} (allowed by routes.allow_5xx)", "{detail}（routes.allow_5xx で許容）"),
    "reach.app_5xx": ("HTTP {status} from the app: {snippet}", "HTTP {status}（アプリからの応答）: {snippet}"),
    "reach.gateway": ("HTTP {status} {origin}", "HTTP {status} {origin}"),
    "reach.origin_app": ("from the app", "（アプリからの応答）"),
    "reach.origin_other": ("not from the app: {looks}", "（アプリ以外からの応答）: {looks}"),
    "reach.looks": ("server {server}, {media}, body {body}", "server {server}、{media}、本文 {body}"),
    "reach.no_content_type": ("no content-type", "content-type なし"),
    "reach.doubled_prefix": (
        "base_url already ends with {prefix} and the routes start with it, so {prefix}{prefix}/... was requested: drop {prefix} from base_url",
        "base_url がすでに {prefix} で終わり、ルートも {prefix} で始まるため {prefix}{prefix}/... を要求しました。base_url から {prefix} を外してください",
    ),
    "reach.remedy.app-5xx": (
        ("the app fails on these routes even for a request that writes nothing: read its logs for the traceback; "
        "if a failure is known and tracked, list the path in [targets.NAME.routes] allow_5xx"),
        ("何も書き込まないリクエストでも、アプリがこれらのルートで失敗しています。ログでトレースバックを確認してください。"
        "既知で追跡中の失敗なら、そのパスを [targets.NAME.routes] の allow_5xx に記載してください"),
    ),
    "reach.remedy.proxy-block": (
        "a proxy/WAF rule refuses these methods or paths before the app: fix the rule (e.g. nginx limit_except, an allow-list of methods)",
        "プロキシ／WAF のルールがアプリの手前でこれらのメソッドまたはパスを拒否しています。ルールを直してください（nginx の limit_except、メソッドの許可リストなど）",
    ),
    "reach.remedy.proxy-404": (
        ("the reverse proxy/ingress does not forward these paths to the app: add a rule for their prefix "
        "(before any catch-all such as /api/) or the missing rewrite"),
        "リバースプロキシ／Ingress がこれらのパスをアプリに転送していません。プレフィックスのルール（/api/ などの包括ルールより前）か不足しているリライトを追加してください",
    ),
    "reach.remedy.app-no-route": (
        ("the app has no route at these paths: check the router's include_router(prefix=...) (FastAPI) or the "
        "blueprint's url_prefix (Flask) against the expected list"),
        "アプリにこれらのパスのルートがありません。ルーターの include_router(prefix=...)（FastAPI）またはブループリントの url_prefix（Flask）を期待リストと照合してください",
    ),
    "reach.remedy.gateway": (
        "the gateway could not get an answer from the app: check the app's logs and the upstream address",
        "ゲートウェイがアプリから応答を得られませんでした。アプリのログと上流アドレスを確認してください",
    ),
    "reach.remedy.tls": (
        "the TLS handshake failed: check the certificate and [targets.NAME.tls]",
        "TLS ハンドシェイクに失敗しました。証明書と [targets.NAME.tls] を確認してください",
    ),
    "reach.remedy.timeout": (
        "the routes did not answer in time: raise [targets.NAME.routes] timeout_s or look for a hang",
        "ルートが時間内に応答しませんでした。[targets.NAME.routes] の timeout_s を上げるか、応答が止まる原因を探してください",
    ),
    "reach.remedy.refused": (
        "the connection was refused: check base_url and that the service listens",
        "接続が拒否されました。base_url とサービスが待ち受けていることを確認してください",
    ),
    "reach.remedy.other": ("see the answers in the evidence", "証拠欄の応答を確認してください"),
    "key.every route answered by": ("every route answered by", "すべてのルートの応答元"),
}
