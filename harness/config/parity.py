"""The ``[targets.NAME.parity]`` profile section: the counterpart to compare with.

::

    [targets.staging.parity]
    counterpart = "production"            # python -m harness parity staging (production implied)

    [[targets.staging.parity.ignore]]     # an accepted difference, like a waiver
    difference = "extension pg_stat_statements"   # a difference starting with this
    reason = "only production is monitored"
    who = "Aiko Sato"
    until = 2027-03-31
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError

SECTION = "parity"
_KNOWN = {"counterpart", "ignore"}
_IGNORE_KEYS = {"difference", "reason", "who", "until"}


@dataclass(frozen=True)
class Accepted:
    difference: str
    reason: str
    who: str
    until: date

    def covers(self, subject: str, today: date) -> bool:
        return today <= self.until and (
            subject == self.difference or subject.startswith(self.difference)
        )


@dataclass(frozen=True)
class ParitySpec:
    counterpart: str | None = None
    ignore: tuple[Accepted, ...] = ()


def parity_spec(target: Target) -> ParitySpec:
    table = target.section(SECTION)
    where = f"targets.{target.name}.{SECTION}"
    reject_unknown_keys(table, _KNOWN, where)
    counterpart = table.get("counterpart")
    if counterpart is not None and (not isinstance(counterpart, str) or not counterpart):
        raise ConfigError(f"{where}.counterpart: expected a profile name, got {counterpart!r}.",
                          hint='e.g. counterpart = "production"')  # fmt: skip
    entries = table.get("ignore", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where}.ignore: expected [[{where}.ignore]] tables.")
    return ParitySpec(
        counterpart, tuple(_accepted(e, f"{where}.ignore[{n}]") for n, e in enumerate(entries))
    )


def _accepted(raw: object, where: str) -> Accepted:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table.")
    reject_unknown_keys(raw, _IGNORE_KEYS, where)
    for key in ("difference", "reason", "who"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(
                f"{where}.{key}: required, a non-empty string.", hint=f'set {key} = "..."'
            )
    if not isinstance(raw.get("until"), date):
        raise ConfigError(
            f"{where}.until: required, a TOML date.", hint="e.g. until = 2027-03-31 (no quotes)"
        )
    return Accepted(
        raw["difference"].strip(), raw["reason"].strip(), raw["who"].strip(), raw["until"]
    )
