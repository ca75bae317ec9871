"""note table

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("note", sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(500)))


def downgrade() -> None:
    op.drop_table("note")
