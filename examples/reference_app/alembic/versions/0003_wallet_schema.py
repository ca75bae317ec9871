"""wallet schema: wallets, ledger entries, supply

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-01 00:00:02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "wallet"
# Total supply; it all starts in the system wallet, so sum(balances) == total.
INITIAL_SUPPLY = 1_000_000_000


def _create_wallets() -> None:
    op.create_table(
        "wallets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False, server_default=sa.text("'user'")),
        sa.Column("balance", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE", name="wallets_user_id_fkey"
        ),
        sa.UniqueConstraint("user_id", name="wallets_user_id_key"),
        schema=SCHEMA,
    )


def _create_ledger_entries() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=True, server_default=sa.func.now()
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            [f"{SCHEMA}.wallets.id"],
            ondelete="CASCADE",
            name="ledger_entries_wallet_id_fkey",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_ledger_entries_wallet_id", "ledger_entries", ["wallet_id"], schema=SCHEMA)
    op.create_index("ix_ledger_entries_task_id", "ledger_entries", ["task_id"], schema=SCHEMA)


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA {SCHEMA}")
    _create_wallets()
    _create_ledger_entries()
    op.create_table(
        "supply",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="supply_id_check"),
        schema=SCHEMA,
    )
    op.execute(
        f"INSERT INTO {SCHEMA}.wallets (user_id, kind, balance) "
        f"VALUES (NULL, 'system', {INITIAL_SUPPLY})"
    )
    op.execute(f"INSERT INTO {SCHEMA}.supply (id, total) VALUES (1, {INITIAL_SUPPLY})")


def downgrade() -> None:
    op.drop_table("supply", schema=SCHEMA)
    op.drop_index("ix_ledger_entries_task_id", table_name="ledger_entries", schema=SCHEMA)
    op.drop_index("ix_ledger_entries_wallet_id", table_name="ledger_entries", schema=SCHEMA)
    op.drop_table("ledger_entries", schema=SCHEMA)
    op.drop_table("wallets", schema=SCHEMA)
    op.execute(f"DROP SCHEMA {SCHEMA}")
