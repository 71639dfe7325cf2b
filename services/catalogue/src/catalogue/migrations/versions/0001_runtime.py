"""runtime tables (outbox, inbox)

Revision ID: 0001
Revises:
"""

from alembic import op

from academy_runtime.migrations import create_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "catalogue"


def upgrade() -> None:
    create_runtime_tables(op.get_bind(), SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
