"""Database URL normalisation: whatever dialect a user pastes, the harness speaks psycopg 3.

Users paste URLs from Render, Railway, Heroku, their app's settings or their Alembic
``env.py``: ``postgres://``, ``postgresql://``, ``postgresql+asyncpg://``,
``postgresql+psycopg2://``. The harness always connects with its own synchronous driver,
so an async URL can never cause the ``MissingGreenlet`` failure of DESIGN §1.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.errors import ConfigError
from harness.messages.core import msg
from harness.secrets import mask_url, register_secret

HARNESS_DRIVER = "postgresql+psycopg"
_POSTGRES_SCHEMES = {
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+psycopg2cffi",
    "postgresql+asyncpg",
    "postgresql+pg8000",
    "postgresql+psycopg_async",
}
# asyncpg spells libpq's sslmode as "ssl"; psycopg understands only sslmode.
_QUERY_RENAMES = {"ssl": "sslmode"}
# Options that only make sense to another driver and that libpq would reject.
_DRIVER_ONLY_QUERY = {"prepared_statement_cache_size", "statement_cache_size"}


def normalise_database_url(url: str, *, field: str = "database_url") -> str:
    """Return ``url`` rewritten for psycopg 3. Raises ``ConfigError`` naming ``field``."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _POSTGRES_SCHEMES:
        raise ConfigError(
            msg("config.not_postgres_url", field=field, url=repr(mask_url(url)), scheme=repr(scheme or "missing")),
            hint=msg("config.postgres_url_hint"),
        )
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(
            msg("config.url_no_host", field=field, url=repr(mask_url(url))), hint=msg("config.postgres_url_hint"),
        )
    register_secret(parts.password)
    query = [
        (_QUERY_RENAMES.get(key, key), value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in _DRIVER_ONLY_QUERY
    ]
    return urlunsplit((HARNESS_DRIVER, parts.netloc, parts.path, urlencode(query), ""))

