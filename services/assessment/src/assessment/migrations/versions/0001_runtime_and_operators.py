"""runtime tables (outbox, inbox) and operators

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from academy_runtime.migrations import create_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "assessment"


def upgrade() -> None:
    create_runtime_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "operators",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("jurisdictions", ARRAY(sa.Text), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("operators", schema=SCHEMA)
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
