"""runtime tables (outbox, inbox) and operator jurisdictions

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

SCHEMA = "release_bridge"


def upgrade() -> None:
    create_runtime_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "operator_jurisdictions",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("jurisdictions", ARRAY(sa.Text), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("operator_jurisdictions", schema=SCHEMA)
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
