"""Settings fields a validator composes into a database URL (harness.init.composed): each
validator form, read statically. The end-to-end case (the app's venv, its import) is in
test_corpus_shapes_venv.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.init.composed import composed_urls, driver_template

HEAD = "from pydantic_settings import BaseSettings\nfrom pydantic import *\n\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # pydantic 1 style, as many templates still write it
            ('    DB_URI: str | None = None\n\n    @validator("DB_URI", pre=True)\n'
            "    def build(cls, v, values):\n"
            "        if isinstance(v, str):\n            return v\n"
            '        return f"postgresql+asyncpg://{values.get(\'U\')}@h/db"\n'),
            {"DB_URI": "postgresql+asyncpg"},
        ),
        (
            ('    DATABASE_URL: str = ""\n\n    @model_validator(mode="after")\n'
            "    def build(self):\n        if not self.DATABASE_URL:\n"
            '            self.DATABASE_URL = "postgresql+psycopg://" + self.HOST\n'
            "        return self\n"),
            {"DATABASE_URL": "postgresql+psycopg"},
        ),
        (
            ('    SQLALCHEMY_DATABASE_URI: PostgresDsn | None = None\n\n'
            '    @field_validator("SQLALCHEMY_DATABASE_URI", mode="before")\n'
            "    def build(cls, v, info):\n"
            '        return PostgresDsn.build(scheme="postgresql+psycopg2", host="h")\n'),
            {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2"},
        ),
        (  # a validator that composes nothing: not a composed URL
            ('    DATABASE_URL: str\n\n    @field_validator("DATABASE_URL")\n'
            "    def strip(cls, v):\n        return v.strip()\n"),
            {},
        ),
    ],
)
def test_validator_forms(tmp_path: Path, body: str, expected: dict[str, str]) -> None:
    (tmp_path / "config.py").write_text(HEAD + "class Settings(BaseSettings):\n" + body)
    assert composed_urls(tmp_path) == expected


def test_driver_templates() -> None:
    assert driver_template("postgresql+asyncpg") == "{url_asyncpg}"
    assert driver_template("postgresql+psycopg2") == "{url_psycopg2}"
    assert driver_template("postgresql") is None
