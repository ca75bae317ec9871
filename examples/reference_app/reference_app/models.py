"""SQLAlchemy models. They mirror alembic/versions exactly, so an
autogenerate comparison (``alembic check``) reports no difference."""
from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

EMBEDDING_DIM = 8
WALLET_SCHEMA = "wallet"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    # Constraint names match PostgreSQL's defaults, which the migration uses.
    __table_args__ = (UniqueConstraint("name", name="users_name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("bounty >= 0", name="tasks_bounty_check"),
        Index("ix_tasks_status", "status"),
        Index(
            "ix_tasks_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_l2_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    bounty: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, server_default=text("'open'")
    )
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, server_default=func.now()
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assigned_to: Mapped[int | None] = mapped_column(
        Integer,
        ForeignKey("users.id", ondelete="SET NULL", name="tasks_assigned_to_fkey"),
        nullable=True,
    )
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM), nullable=True)


class Wallet(Base):
    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("user_id", name="wallets_user_id_key"),
        {"schema": WALLET_SCHEMA},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL only for the single system wallet that funds rewards.
    user_id: Mapped[int | None] = mapped_column(
        Integer,
        ForeignKey("users.id", ondelete="CASCADE", name="wallets_user_id_fkey"),
        nullable=True,
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False, server_default=text("'user'"))
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_wallet_id", "wallet_id"),
        Index("ix_ledger_entries_task_id", "task_id"),
        {"schema": WALLET_SCHEMA},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey(
            f"{WALLET_SCHEMA}.wallets.id",
            ondelete="CASCADE",
            name="ledger_entries_wallet_id_fkey",
        ),
        nullable=False,
    )
    # No FK on purpose: the ledger must outlive task rows (audit trail).
    task_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Signed: negative is a debit, positive a credit.
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, server_default=func.now()
    )


class Supply(Base):
    __tablename__ = "supply"
    __table_args__ = (
        CheckConstraint("id = 1", name="supply_id_check"),
        {"schema": WALLET_SCHEMA},
    )

    # Single-row table: the check constraint pins id to 1.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
