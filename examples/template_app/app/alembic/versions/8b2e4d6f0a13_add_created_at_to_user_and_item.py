"""Add created_at to user and item

Revision ID: 8b2e4d6f0a13
Revises: 3f1c9a2b7d10
Create Date: 2026-11-23 10:31:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b2e4d6f0a13"
down_revision: str | None = "3f1c9a2b7d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this revision have no creation time.
    op.add_column("user", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("item", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("item", "created_at")
    op.drop_column("user", "created_at")
