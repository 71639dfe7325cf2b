"""training waivers: support let a staff member start an exam without the required modules

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "assessment"


def upgrade() -> None:
    op.create_table(
        "training_waivers",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("track_key", sa.Text, nullable=False),
        sa.Column("track_version", sa.Text, nullable=False),
        sa.Column("modules_waived", ARRAY(sa.Text), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "staff_id"],
            [f"{SCHEMA}.staff.operator_id", f"{SCHEMA}.staff.staff_id"],
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_training_waivers_staff",
        "training_waivers",
        ["operator_id", "staff_id", "track_key", "track_version"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("training_waivers", schema=SCHEMA)
