"""The ``[targets.NAME.rehearsal]`` profile section: the migration rehearsal on a copy.

::

    [targets.staging.rehearsal]
    enabled = true                        # default: true where throwaway databases are allowed
    on_production = false                 # a production profile is never copied unless true
    url_scheme = "postgresql+asyncpg"     # the URL form the app's migrate step is given
                                          # (default: what [app] database_env gives, e.g. {url_asyncpg})
    round_trip = true                     # up -> down -> up of the pending revisions
    timeout_s = 600                       # per alembic command

``url_scheme`` is the point of the deploy's own command: the seeds' env.py broke only on
the URL form the deployed app uses (MissingGreenlet with ``postgresql+asyncpg://``), so the
rehearsal hands the app's env.py that same form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

SECTION = "rehearsal"
_KNOWN = {"enabled", "on_production", "url_scheme", "round_trip", "timeout_s"}
_SCHEME = re.compile(r"^postgres(ql)?(\+[a-z0-9_]+)?$")


@dataclass(frozen=True)
class RehearsalSpec:
    enabled: bool = True
    on_production: bool = False
    url_scheme: str = ""  # "" = the harness's own driver
    round_trip: bool = True
    timeout_s: float = 600.0


def rehearsal_spec(target: Target) -> RehearsalSpec:
    table = target.section(SECTION)
    where = f"targets.{target.name}.{SECTION}"
    reject_unknown_keys(table, _KNOWN, where)
    for key in ("enabled", "on_production", "round_trip"):
        if not isinstance(table.get(key, True), bool):
            raise ConfigError(msg("cfg.bool", where=where, key=key, value=repr(table[key])))
    scheme = table.get("url_scheme", "")
    if not isinstance(scheme, str) or (scheme and not _SCHEME.match(scheme)):
        raise ConfigError(msg("rehearsalcfg.scheme", where=where, value=repr(scheme)), hint=msg("rehearsalcfg.scheme_hint"))
    timeout = table.get("timeout_s", 600.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(msg("cfg.seconds", where=where, key="timeout_s", value=repr(timeout)))
    return RehearsalSpec(table.get("enabled", True), table.get("on_production", False), scheme,
                         table.get("round_trip", True), float(timeout))  # fmt: skip
