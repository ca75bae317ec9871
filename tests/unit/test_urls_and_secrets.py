import pytest

from harness.config.urls import normalise_database_url
from harness.errors import ConfigError
from harness.secrets import mask_url, redact


@pytest.mark.parametrize(
    "pasted",
    [
        "postgres://app:pw1234@db.example.com:5432/app",
        "postgresql://app:pw1234@db.example.com:5432/app",
        "postgresql+asyncpg://app:pw1234@db.example.com:5432/app",
        "postgresql+psycopg2://app:pw1234@db.example.com:5432/app",
        "postgresql+psycopg://app:pw1234@db.example.com:5432/app",
    ],
)
def test_every_dialect_becomes_psycopg3(pasted):
    assert normalise_database_url(pasted) == "postgresql+psycopg://app:pw1234@db.example.com:5432/app"


def test_asyncpg_ssl_query_becomes_sslmode():
    url = normalise_database_url("postgresql+asyncpg://a:b@h/db?ssl=require")
    assert url.endswith("?sslmode=require")


def test_non_postgres_url_is_a_config_error_without_the_password():
    with pytest.raises(ConfigError) as info:
        normalise_database_url("mysql://root:hunter22@db/x", field="targets.staging.database_url")
    text = info.value.one_line()
    assert "targets.staging.database_url" in text and "not a PostgreSQL URL" in text
    assert "hunter22" not in text and "Hint:" in text


def test_mask_url_hides_password_only():
    assert mask_url("postgresql://u:s3cr3t@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert mask_url("postgresql://u@h/d") == "postgresql://u@h/d"


def test_redact_scrubs_registered_secrets_and_url_passwords():
    normalise_database_url("postgresql://u:registered-pw@h/d")
    text = redact("failed: password registered-pw for postgresql://x:other-pw@h/d")
    assert "registered-pw" not in text and "other-pw" not in text
    assert text.count("***") == 2
