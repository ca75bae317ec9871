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


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJoYXJuZXNzLXRlc3QiLCJleHAiOjE5OTk5OTk5OTl9"
    ".Zm9vYmFyYmF6cXV4LXNpZ25hdHVyZS1wbGFudGVkLWZvci10ZXN0cw"
)


@pytest.mark.parametrize(
    "token",
    ["t0k3n-0123456789abcdefghijklmnopqrstuvwxyzAB", JWT, 'planted-left-half<"planted-right-half'],
    ids=["43-chars", "jwt", "markup"],
)
def test_redact_masks_every_piece_a_cut_or_an_escape_leaves(token):
    import html
    import json

    from harness.secrets import MIN_RUN, clip, forget_all, register_secret

    forget_all()
    register_secret(token, pieces=True)
    shown = [
        redact(f"body {token[:30]}… cut"),  # a prefix, as an 80-character snippet leaves it
        redact(f"…{token[-12:]} tail"),
        redact(json.dumps({"echo": f"Bearer {token}"})),
        redact(html.escape(f"<p>{token}</p>")),
        redact(re_strip_tags(f"<b>{token}</b>")),
        clip(f"{'x' * 70}{token}", 80),  # masked before the cut: no 10-character stub
    ]
    for text in shown:
        pieces = {token[i : i + MIN_RUN] for i in range(len(token) - MIN_RUN + 1)}
        assert not [p for p in pieces if p in text], text
    assert shown[-1].endswith("***")
    forget_all()


def re_strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", text)


def test_redact_leaves_text_without_secrets_alone():
    from harness.secrets import forget_all, register_secret

    forget_all()
    register_secret("a-long-secret-value-123", pieces=True)
    assert redact("nothing secret here: a-long-") == "nothing secret here: a-long-"
    register_secret("mypassword1")  # a password: masked whole, its words stay readable
    assert redact("password authentication failed: mypassword1") == "password authentication failed: ***"
    forget_all()


def test_a_registered_url_masks_its_password_not_its_scheme_or_host():
    from harness.secrets import forget_all, register_secret

    forget_all()
    register_secret("postgresql://app:S3cr%40t-pw-long@127.0.0.1:5432/database")
    text = redact("postgresql://127.0.0.1:5432/database said S3cr@t-pw-long and S3cr%40t-pw-long")
    assert text == "postgresql://127.0.0.1:5432/database said *** and ***"
    forget_all()
