"""note

Revision ID: c0ffee000001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "c0ffee000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("note")
