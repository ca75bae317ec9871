"""shelf"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "shelf", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(80))
    )


def downgrade() -> None:
    op.drop_table("shelf")
