"""Every table model, imported so that SQLModel.metadata holds them all.

Alembic's env.py and the harness's schema check use `app.models:SQLModel.metadata`,
so SQLModel is re-exported here on purpose.
"""

from sqlmodel import SQLModel

from app.models.common import Message, Token
from app.models.item import Item, ItemCreate, ItemPublic, ItemsPublic, ItemUpdate
from app.models.user import User, UserCreate, UserPublic, UsersPublic

__all__ = [
    "Item",
    "ItemCreate",
    "ItemPublic",
    "ItemUpdate",
    "ItemsPublic",
    "Message",
    "SQLModel",
    "Token",
    "User",
    "UserCreate",
    "UserPublic",
    "UsersPublic",
]
