"""HTTP to the target (harness.transport): why a request got no usable answer, and its hint."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "http.hung": ("{request}: the app accepted the request and never answered (after {attempts} attempt(s)), though it had answered before.", "{request}: アプリはリクエストを受け付けましたが応答しませんでした（{attempts} 回試行。それ以前は応答していました）。"),
    "http.hung_hint": ("the app hangs (a deadlock, an exhausted pool): read its logs and thread dump", "アプリが停止しています（デッドロック、接続プールの枯渇など）。ログとスレッドダンプを確認してください"),
    "http.tls_failed": ("{request}: {reason}.", "{request}: {reason}。"),
    "http.unreachable": ("{request}: {reason} (after {attempts} attempt(s)).", "{request}: {reason}（{attempts} 回試行）。"),
    "http.gateway": ("{request}: HTTP {status} from the gateway (after {attempts} attempt(s)).", "{request}: ゲートウェイが HTTP {status} を返しました（{attempts} 回試行）。"),
    "http.gateway_hint": ("the service is down, redeploying or asleep; check the platform's logs", "サービスが停止中、再デプロイ中、またはスリープ中です。プラットフォームのログを確認してください"),
    "http.connect_timeout": ("connection timed out", "接続がタイムアウトしました"),
    "http.read_timeout": ("timed out waiting for an answer", "応答待ちでタイムアウトしました"),
    "http.tls": ("TLS failure: {text}", "TLS の失敗: 「{text}」"),
    "http.dns": ("host name does not resolve: {text}", "ホスト名を解決できません: 「{text}」"),
    "http.refused": ("connection refused", "接続が拒否されました"),
    "http.reset": ("the connection was reset ({text})", "接続がリセットされました（「{text}」）"),
    "http.other": ("{text}", "「{text}」"),
    "http.timeout_hint": ("the service may be cold-starting or overloaded; raise timeout_s or retry later", "サービスが起動中か過負荷の可能性があります。timeout_s を上げるか、後で再試行してください"),
    "http.tls_hint": ("the certificate is not trusted or expired; for a private CA set [targets.NAME.tls] ca_bundle", "証明書が信頼されていないか期限切れです。プライベート CA なら [targets.NAME.tls] の ca_bundle を設定してください"),
    "http.check_hint": ("check base_url and that the service is up", "base_url とサービスが起動していることを確認してください"),
}
