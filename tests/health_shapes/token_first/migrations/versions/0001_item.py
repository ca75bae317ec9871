from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)")


def downgrade() -> None:
    op.execute("DROP TABLE item")
