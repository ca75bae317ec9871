"""Validating every level of a profile before anything runs.

Each concern parses its own ``[targets.NAME.<section>]`` (routes, wallet, database, tls,
auth, the stack). Running all the parsers at configure time turns a typo in any of them
into one usage error (exit 4) with a "blocked" report, instead of a failing test half-way
through a run that has already touched the target.

``SECTIONS`` is the one registry of section names: a task that adds a section adds its
entry here (name → "module:parser", or ``None`` when ``config.targets`` parses it itself),
and with it the name becomes known. ``TOP_LEVEL_KEYS`` is the same for plain keys. Anything
else at the top of a profile is a typo, reported with the nearest known name.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.config.keys import reject_unknown_keys
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.messages.core import msg, reason_code

# Section name → its parser, called with the Target (raises ConfigError).
SECTIONS: dict[str, str | None] = {
    "health": None,  # config.targets._health
    "app": None,  # config.targets._app
    "stack": "harness.config.stack:stack_spec",
    "compose": None,  # read by harness.stack.compose (validated with the stack)
    "database": "harness.config.database:database_spec",
    "routes": "harness.checks.routelist:routes_spec",
    "wallet": "harness.flow.config:wallet_spec",
    "flows": "harness.flow.declare:flows_spec",
    "tls": "harness.transport.tls:tls_spec",
    "auth": "harness.transport.auth:auth_spec",
    "checks": "harness.config.profile:checks_spec",
    "deploy": "harness.config.deploy:deploy_spec",
    "rehearsal": "harness.config.rehearsal:rehearsal_spec",
    "parity": "harness.config.parity:parity_spec",
}

# Not a section: checks of the kind's own top-level keys (containers: image, compose_file).
KIND_VALIDATORS: tuple[str, ...] = ("harness.stack:validate_stack_config",)

# Plain keys at the top of a profile (sections aside) → what they are for.
TOP_LEVEL_KEYS: dict[str, str] = {
    "kind": "local, containers or remote",
    "base_url": "the app's public URL",
    "database_url": "the app's database",
    "alembic_ini": "the app's alembic.ini",
    "allow_writes": "may the wallet flow write",
    "production": "a production target: never written to",
    "checklist": "checklists/<name>.toml",
    "timeout_s": "HTTP timeout",
    "retries": "HTTP retries",
    "image": "containers: the PostgreSQL image",
    "compose_file": "containers: a docker compose file",
    "report_tz": "the report's time zone (IANA name)",
}


@dataclass(frozen=True)
class ChecksSpec:
    """``[targets.X.checks]``: which checklist items do not apply to this app, and why."""

    not_applicable: Mapping[str, str] = field(default_factory=dict)


def checks_spec(target: Target) -> ChecksSpec:
    where = f"targets.{target.name}.checks"
    table = target.section("checks")
    reject_unknown_keys(table, {"not_applicable"}, where)
    raw = table.get("not_applicable", {})
    if not isinstance(raw, Mapping) or not all(
        isinstance(v, str) and v.strip() for v in raw.values()
    ):
        raise ConfigError(
            msg("config.na_shape", where=where), hint=msg("config.na_example"),
        )
    # A reason init wrote is a reason code: the report shows it in the report's language.
    return ChecksSpec(not_applicable={str(k): reason_code(str(v)) for k, v in raw.items()})


def validate_profile(target: Target) -> None:
    """Raise the first ``ConfigError`` found: an unknown key or section, then each
    section parser's own problems."""
    reject_unknown_names(target.raw, f"targets.{target.name}")
    for spec in (*KIND_VALIDATORS, *SECTIONS.values()):
        if spec is None:
            continue
        module_name, _, attr = spec.partition(":")
        getattr(importlib.import_module(module_name), attr)(target)


def reject_unknown_names(table: Mapping[str, Any], where: str) -> None:
    known = set(TOP_LEVEL_KEYS) | set(SECTIONS)
    for key, value in table.items():
        if key in known:
            if key in SECTIONS and not isinstance(value, Mapping):
                raise ConfigError(
                    msg("config.expected_table", where=where, key=key, value=repr(value)),
                    hint=msg("config.write_as_section", where=where, key=key),
                )
            continue
        what = msg("config.word.section") if isinstance(value, Mapping) else msg("config.word.key")
        raise ConfigError(msg("config.unknown_name", where=where, what=what, key=repr(key)), hint=suggestion(key, known))


def suggestion(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    listing = msg("config.known", names=", ".join(sorted(known)))
    return msg("config.did_you_mean", close=repr(close[0]), listing=listing) if close else listing
