"""tasks.assigned_to and tasks.accepted_at

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-01 00:00:03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("assigned_to", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        "tasks_assigned_to_fkey", "tasks", "users", ["assigned_to"], ["id"], ondelete="SET NULL"
    )


def downgrade() -> None:
    op.drop_constraint("tasks_assigned_to_fkey", "tasks", type_="foreignkey")
    op.drop_column("tasks", "accepted_at")
    op.drop_column("tasks", "assigned_to")
