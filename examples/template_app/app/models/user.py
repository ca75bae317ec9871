"""The user table and the shapes the users and login routes read and answer."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app import faults
from app.models.common import created_at, uuid_pk

_NICKNAME_FAULT = faults.active(faults.MODEL_COLUMN_WITHOUT_MIGRATION)


class UserBase(SQLModel):
    email: str = Field(unique=True, index=True, max_length=255)
    is_active: bool = True
    is_superuser: bool = False
    full_name: str | None = Field(default=None, max_length=255)


class User(UserBase, table=True):
    id: uuid.UUID = uuid_pk()
    hashed_password: str = Field(max_length=255)
    created_at: datetime | None = created_at()
    if _NICKNAME_FAULT:
        # Fault: a column in the model that no migration creates. Every ORM query
        # of User selects it, so login and /users/me fail on a migrated database.
        nickname: str | None = Field(default=None, max_length=255)


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=72)  # bcrypt's input limit


class UserPublic(UserBase):
    id: uuid.UUID
    created_at: datetime | None = None


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int
