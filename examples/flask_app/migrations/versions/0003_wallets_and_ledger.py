"""wallets, ledger, and the seeded system wallet bounties are paid from

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SYSTEM_BALANCE = 1_000_000


def upgrade():
    op.create_table(
        "wallets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("user_id", name="wallets_user_id_key"),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("wallet_id", sa.Integer(), sa.ForeignKey("wallets.id"), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
    )
    op.create_index("ix_ledger_wallet_id", "ledger", ["wallet_id"])
    # Seeded here, not by the app: a deploy that skipped this migration has no money to pay.
    op.execute("INSERT INTO users (name) VALUES ('system')")
    op.execute(
        f"INSERT INTO wallets (user_id, balance) "
        f"SELECT id, {SYSTEM_BALANCE} FROM users WHERE name = 'system'"
    )


def downgrade():
    op.drop_index("ix_ledger_wallet_id", table_name="ledger")
    op.drop_table("ledger")
    op.drop_table("wallets")
    op.execute("DELETE FROM users WHERE name = 'system'")
