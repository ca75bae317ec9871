"""Models; they must match migrations/versions exactly (compare_metadata == [])."""
from pgvector.sqlalchemy import Vector
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from flask_app.extensions import db

EMBEDDING_DIM = 3
# The wallet bounties are paid from; seeded by migration 0003.
SYSTEM_USER_NAME = "system"


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        Index(
            "ix_tasks_embedding_hnsw", "embedding",
            postgresql_using="hnsw", postgresql_ops={"embedding": "vector_l2_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    bounty: Mapped[int] = mapped_column(Integer, nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    embedding = mapped_column(Vector(EMBEDDING_DIM), nullable=True)


class Wallet(db.Model):
    __tablename__ = "wallets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, unique=True)
    balance: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class LedgerEntry(db.Model):
    """One side of a transfer: the system wallet's debit or the assignee's credit."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet_id: Mapped[int] = mapped_column(ForeignKey("wallets.id"), nullable=False, index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
