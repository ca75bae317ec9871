"""Settings from the environment, read once at startup.

Two variables only: LEDGER_DATABASE_URL (required) and LEDGER_FAULTS (optional,
comma-separated fault names). A bad value stops startup with ConfigError rather
than letting the app serve requests it would answer wrongly.
"""
import os
from dataclasses import dataclass

# Deliberate bugs the harness's tests switch on to prove each check catches its fault.
KNOWN_FAULTS = frozenset(
    {"replay_pays_twice", "check_then_insert_race", "pays_other_owner", "credits_nothing",
     "used_nonce_crashes"}
)


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app (not a runtime failure)."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    faults: frozenset[str]


def parse_faults(raw: str | None) -> frozenset[str]:
    """Split LEDGER_FAULTS; an unknown name is a typo that would silently test nothing."""
    names = frozenset(part.strip() for part in (raw or "").split(",") if part.strip())
    unknown = sorted(names - KNOWN_FAULTS)
    if unknown:
        raise ConfigError(
            f"LEDGER_FAULTS has unknown fault(s) {unknown}; known: {sorted(KNOWN_FAULTS)}"
        )
    return names


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    url = (env.get("LEDGER_DATABASE_URL") or "").strip()
    if not url:
        raise ConfigError("LEDGER_DATABASE_URL is not set (e.g. postgresql://user:pw@host/db)")
    return Settings(database_url=url, faults=parse_faults(env.get("LEDGER_FAULTS")))
