"""Index item.owner_id (items are listed per owner)

Revision ID: c4d7e9a1f256
Revises: 8b2e4d6f0a13
Create Date: 2026-11-23 10:32:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4d7e9a1f256"
down_revision: str | None = "8b2e4d6f0a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_item_owner_id"), "item", ["owner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_item_owner_id"), table_name="item")
