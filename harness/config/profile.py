"""Validating every section of a profile before anything runs.

Each concern parses its own ``[targets.NAME.<section>]`` (routes, wallet, database, tls,
auth, the stack). Running all the parsers at configure time turns a typo in any of them
into one usage error (exit 4) with a "blocked" report, instead of a failing test half-way
through a run that has already touched the target.
"""

from __future__ import annotations

import importlib

from harness.config.targets import Target

VALIDATORS: tuple[str, ...] = (
    "harness.stack:validate_stack_config",
    "harness.config.stack:stack_spec",
    "harness.config.database:database_spec",
    "harness.checks.routelist:routes_spec",
    "harness.flow.config:wallet_spec",
    "harness.flow.declare:flows_spec",
    "harness.transport.tls:tls_spec",
    "harness.transport.auth:auth_spec",
    "harness.config.deploy:deploy_spec",
    "harness.config.rehearsal:rehearsal_spec",
)


def validate_profile(target: Target) -> None:
    """Raise the first ``ConfigError`` any section parser finds."""
    for spec in VALIDATORS:
        module_name, _, attr = spec.partition(":")
        getattr(importlib.import_module(module_name), attr)(target)
