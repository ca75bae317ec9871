"""Pieces shared by the table models, and the small non-table response shapes."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, text
from sqlmodel import Field, SQLModel

# Revision 0001 gives every id column this server default (uuid-ossp); the models
# carry it too, so that a schema comparison sees the same column on both sides.
UUID_SERVER_DEFAULT = text("uuid_generate_v4()")


def uuid_pk() -> Any:
    """A UUID primary key made in Python, with the database's default as a backstop."""
    return Field(
        default_factory=uuid.uuid4,
        primary_key=True,
        sa_column_kwargs={"server_default": UUID_SERVER_DEFAULT},
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def created_at() -> Any:
    """The created_at column revision 0002 adds: timestamptz, nullable (old rows have none)."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class Message(SQLModel):
    message: str


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
