"""Checks: plain functions that look at the target and return a ``CheckResult``.

One module per concern. A check never asserts; the suite (or the CLI, or a benchmark)
decides what to do with the result. A check raises ``TargetUnavailable`` only when it
could not look at all, which makes its item "blocked" rather than "failed".
"""
