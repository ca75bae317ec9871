"""created_at and a (non-unique) nonce index

The nonce index speeds up the idempotency lookup; it is deliberately not unique
(see ledger_app/models.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "ledger_entries",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("ix_ledger_entries_nonce", "ledger_entries", ["nonce"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_nonce", table_name="ledger_entries")
    op.drop_column("ledger_entries", "created_at")
