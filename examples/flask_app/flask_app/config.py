"""Configuration from the environment, the Heroku way.

DATABASE_URL arrives as ``postgres://...`` (Heroku's form, which SQLAlchemy 2
rejects) or ``postgresql://...`` (which would pick psycopg2, not installed);
both are rewritten to psycopg 3. FLASK_APP_FAULTS names deliberate bugs.
"""
import os
import re

KNOWN_FAULTS = frozenset({"blueprint_not_registered", "reward_dropped", "health_500"})
_SCHEME = re.compile(r"^(postgres|postgresql)(\+[a-z0-9_]+)?://")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def database_uri(raw: str | None) -> str:
    url = (raw or "").strip()
    if not url:
        raise ConfigError("DATABASE_URL is not set (e.g. postgres://user:pw@host:5432/db)")
    if not _SCHEME.match(url):
        raise ConfigError("DATABASE_URL must be a postgres:// or postgresql:// URL")
    return _SCHEME.sub("postgresql+psycopg://", url, count=1)


def parse_faults(raw: str | None) -> frozenset[str]:
    """An unknown name is a typo that would silently test nothing: refuse it."""
    names = frozenset(p.strip() for p in (raw or "").split(",") if p.strip())
    unknown = sorted(names - KNOWN_FAULTS)
    if unknown:
        known = sorted(KNOWN_FAULTS)
        raise ConfigError(f"FLASK_APP_FAULTS has unknown fault(s) {unknown}; known: {known}")
    return names


def from_env() -> dict[str, object]:
    """The Flask config mapping for create_app()."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri(os.environ.get("DATABASE_URL")),
        # pre_ping survives a database restart; the timeout keeps health checks from hanging.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"connect_timeout": 5},
        },
        "FAULTS": parse_faults(os.environ.get("FLASK_APP_FAULTS")),
    }
