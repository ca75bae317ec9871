"""The harness's exception tree.

Three kinds of trouble are kept apart because they mean different things to the person
reading the report:

* ``ConfigError`` — the harness is misconfigured (bad ``targets.toml``, missing env var,
  bad option). Shown as a usage error, exit code 4.
* ``TargetUnavailable`` — the target (or its database, or the local stack) could not be
  reached, so nothing could be judged. The checklist items are "blocked", exit code 75.
* ``CheckFailure`` — the target was reached and failed a check. An ``AssertionError``
  subclass, so pytest shows it as a failure; it carries the ``CheckResult`` with evidence.

    HarnessError
    ├── ConfigError
    │   └── AppCodeError           (the app's code cannot run: missing module, failing migration)
    ├── TargetUnavailable
    │   ├── TargetUnreachable      (HTTP: refused, timeout, DNS, TLS, 502/503/504 after retries)
    │   ├── DatabaseUnreachable    (refused, wrong password, unknown database)
    │   └── StackError             (the local stack failed to start)
    CheckFailure(AssertionError)
    TargetFault(HarnessError, AssertionError)  (a login answering 500: the test fails)
    └── TargetHung                            (answered before, now never answers)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

# sysexits EX_TEMPFAIL: the target could not be reached, nothing was judged, a retry may
# succeed. The one exit code pytest has no word for; used by the plugin and the CLI alike.
EXIT_BLOCKED = 75

# Why nothing could be judged: one code per cause, carried by ``TargetUnavailable`` into
# results.json, so the report names the cause (harness.report.causes has the words in each
# language) instead of one "could not reach the target" for every kind of trouble.
UNREACHABLE = "unreachable"          # refused, host unknown, nothing listening
TIMEOUT = "timeout"                  # no answer in time (connect or read)
CONNECTION_RESET = "connection_reset"  # the connection dropped mid-request
GATEWAY = "gateway"                  # 502/503/504 from the platform after retries
DB_UNREACHABLE = "db_unreachable"    # the database refused or is down
DB_RESTARTING = "db_restarting"      # the database server restarted during the check
DEPLOY_NOT_LIVE = "deploy_not_live"  # the expected revision never served
DEPLOY_UNKNOWN = "deploy_unknown"    # which revision serves could not be read
STACK_FAILED = "stack_failed"        # the local stack did not come up
CONFIG = "config"                    # a person must change the configuration (exit 4)
CAUSES = (UNREACHABLE, TIMEOUT, CONNECTION_RESET, GATEWAY, DB_UNREACHABLE, DB_RESTARTING,
          DEPLOY_NOT_LIVE, DEPLOY_UNKNOWN, STACK_FAILED, CONFIG)  # fmt: skip

if TYPE_CHECKING:
    import httpx


class Verdict(Protocol):
    """What ``CheckFailure`` carries: ``harness.result.CheckResult`` (kept structural so that
    this base module imports nothing of the harness)."""

    evidence: dict[str, Any]

    def describe(self) -> str: ...


class HarnessError(Exception):
    """Base class of every error the harness raises on purpose."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def one_line(self) -> str:
        """The message and its fix on one line, for terminal output and reports."""
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message


def cause_of(exc: BaseException) -> str:
    """The cause code of an exception that blocked a check (``CAUSES``)."""
    if isinstance(exc, ConfigError):
        return CONFIG
    return getattr(exc, "cause", UNREACHABLE)


def first_line(exc: BaseException) -> str:
    """An exception from a library as one line: its first non-empty line, or its type's name
    when it has no message (psycopg's errors run to several lines and a URL to the docs)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class ConfigError(HarnessError):
    """The harness is misconfigured: the user must change a file, option or env var."""


class AppCodeError(ConfigError):
    """The app's own code cannot run as configured (a module missing from its interpreter, a
    failing migrate command, an alembic.ini that cannot be read): a person must fix it, a
    retry will not. Carries the tail of the app's output."""

    def __init__(self, message: str, *, log_tail: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log_tail = log_tail
        self.error_line = ""  # the exception line of the app's traceback, when there is one


class CertificateUntrusted(ConfigError):
    """The target's TLS certificate does not verify (self-signed, a private CA, expired, for
    another host) or the port speaks no TLS: a retry cannot help, a person must set
    ``[targets.NAME.tls] ca_bundle``, fix the certificate or the URL's scheme (exit 4)."""


class TargetUnavailable(HarnessError):
    """The target could not be reached; checks depending on it are blocked, not failed.
    ``cause``: one of ``CAUSES``, what the report's blocked label says."""

    cause: str = UNREACHABLE

    def __init__(self, message: str, *, hint: str | None = None, cause: str | None = None) -> None:
        super().__init__(message, hint=hint)
        if cause is not None:
            self.cause = cause


class TargetUnreachable(TargetUnavailable):
    """An HTTP request to the target got no usable answer. Carries the request, like httpx."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        status_code: int | None = None,
        hint: str | None = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, cause=cause)
        self.request = request
        self.status_code = status_code


class DatabaseUnreachable(TargetUnavailable):
    """The target's database refused the connection, rejected the password or is down."""

    cause = DB_UNREACHABLE


class StackError(TargetUnavailable):
    """The local stack (embedded PostgreSQL, migrations, app) could not be brought up."""

    cause = STACK_FAILED

    def __init__(self, message: str, *, log_tail: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log_tail = log_tail


class TargetFault(HarnessError, AssertionError):
    """The target answered wrongly outside any check (a login answering 500): the target's
    fault, so an ``AssertionError`` and the test fails (exit 1), in one line."""


class TargetHung(TargetFault):
    """The target had answered, then accepted a connection and never answered: a deadlock or
    an overload of the app's own making, not a cold start. An ``AssertionError``, so the
    test fails (exit 1) instead of being blocked."""


class CheckFailure(AssertionError):
    """The target failed a check. Carries the result so the report can show its evidence."""

    def __init__(self, result: Verdict) -> None:
        super().__init__(result.describe())
        self.result = result

    @property
    def evidence(self) -> dict[str, Any]:
        return self.result.evidence
