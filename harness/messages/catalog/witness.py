"""The login's account checked before and after the run (harness.checks.witness)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "witness.remedy": ("a request during this run (or something else meanwhile) deleted or disabled the account the profile logs in as: find the DELETE or UPDATE of that user in the app's log, restore the account, and make sure only declared flows write (never with that account's own delete route)", "この実行中のリクエスト（またはその間の別の何か）が、プロファイルがログインに使うアカウントを削除または無効化しました。アプリのログでそのユーザーの DELETE または UPDATE を探し、アカウントを復元し、書き込みは宣言したフローだけが行うようにしてください（そのアカウント自身の削除ルートは決して使わないでください）"),
    "witness.line": ("GET {path} answered HTTP {status} with the credentials, {bare} without", "GET {path} は認証情報付きで HTTP {status}、認証情報なしで {bare} を返しました"),
    "witness.lost": ("the login's account no longer authenticates: GET {path} answered HTTP {before} with its credentials before {when} and HTTP {after} after ({body})", "ログインのアカウントが認証されなくなりました: GET {path} は{when}の前には認証情報付きで HTTP {before} を返し、後には HTTP {after} を返しました（{body}）"),
    "witness.when.probes": ("the probes", "プローブ"),
    "witness.when.tests": ("the run's tests", "実行中のテスト"),
    "witness.login_fails": ("the login's account no longer authenticates: the login now fails ({error}), though at the start of the run {line}", "ログインのアカウントが認証されなくなりました: ログインが失敗するようになりました（{error}）。実行の開始時には {line}"),
    "witness.login_refused": ("the login is refused", "ログインが拒否されます"),
    "witness.refused": ("refused with the credentials", "認証情報付きで拒否されます"),
    "witness.still": ("the login's account still authenticates at the end of the run: GET {path} answered with its credentials", "実行の終わりにもログインのアカウントは認証されます: GET {path} は認証情報付きで応答しました"),
    "witness.expected": ("GET {path} answers 2xx with the credentials", "GET {path} が認証情報付きで 2xx を返すこと"),
    "key.at the end of the run": ("at the end of the run", "実行の終わり"),
    "key.auth_witness": ("auth_witness", "認証の確認に使うルート"),
}
