"""users and tasks (with a 3-d embedding and its HNSW index)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02 00:00:00
"""
import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("name", name="users_name_key"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("bounty", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("embedding", Vector(3), nullable=True),
    )
    op.create_index(
        "ix_tasks_embedding_hnsw", "tasks", ["embedding"],
        postgresql_using="hnsw", postgresql_ops={"embedding": "vector_l2_ops"},
    )


def downgrade():
    op.drop_index("ix_tasks_embedding_hnsw", table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("users")
