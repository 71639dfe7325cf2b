"""certificates carry the training record of their issue event

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "release_bridge"


def upgrade() -> None:
    # Nullable, no default: certificates stored before this revision had no training record.
    op.add_column("certificates", sa.Column("training", JSONB, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("certificates", "training", schema=SCHEMA)
