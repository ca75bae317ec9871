"""tasks.embedding vector(8) with an HNSW index

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-01 00:00:04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("embedding", Vector(8), nullable=True))
    op.create_index(
        "ix_tasks_embedding_hnsw",
        "tasks",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_l2_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_embedding_hnsw", table_name="tasks")
    op.drop_column("tasks", "embedding")
