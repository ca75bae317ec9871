"""Staging verification harness: checks a deployed backend and writes a checklist report."""

from harness.errors import (
    CheckFailure,
    ConfigError,
    DatabaseUnreachable,
    HarnessError,
    StackError,
    TargetUnavailable,
    TargetUnreachable,
)
from harness.result import CheckResult

__version__ = "0.1.0"

__all__ = [
    "CheckFailure",
    "CheckResult",
    "ConfigError",
    "DatabaseUnreachable",
    "HarnessError",
    "StackError",
    "TargetUnavailable",
    "TargetUnreachable",
    "__version__",
]
