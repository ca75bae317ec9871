"""ledger_entries

Revision ID: 0001
Revises:
Create Date: 2026-11-01 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
    )
    op.create_index("ix_ledger_entries_owner_id", "ledger_entries", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_owner_id", table_name="ledger_entries")
    op.drop_table("ledger_entries")
