"""Runtime settings, read from the environment when the app is created.

Reading at create_app() time (not import time) lets tests and the harness
change the environment between app instances in one process.
"""
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .faults import parse_faults

DEFAULT_HEALTH_DELAY = 4.0


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    faults: frozenset[str] = field(default_factory=frozenset)
    health_delay: float = DEFAULT_HEALTH_DELAY
    api_token: str | None = None  # the bearer token the require_token mode asks for

    def has_fault(self, name: str) -> bool:
        return name in self.faults


def _parse_delay(raw: str | None) -> float:
    if raw is None or not raw.strip():
        return DEFAULT_HEALTH_DELAY
    try:
        delay = float(raw)
    except ValueError as exc:
        raise ValueError(f"REFAPP_HEALTH_DELAY must be a number, got {raw!r}") from exc
    if delay < 0:
        raise ValueError(f"REFAPP_HEALTH_DELAY must be >= 0, got {raw!r}")
    return delay


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ``environ`` (defaults to ``os.environ``)."""
    env = os.environ if environ is None else environ
    # An empty DATABASE_URL is treated as unset so the error message is clear.
    url = env.get("DATABASE_URL", "").strip() or None
    return Settings(
        database_url=url,
        faults=parse_faults(env.get("REFAPP_FAULTS")),
        health_delay=_parse_delay(env.get("REFAPP_HEALTH_DELAY")),
        api_token=env.get("REFAPP_API_TOKEN", "").strip() or None,
    )
