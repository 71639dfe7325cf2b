"""published catalogue versions, publication history, track and module indexes

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "catalogue"
VERSIONS = f"{SCHEMA}.catalogue_versions.version"


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("snapshot", JSONB, nullable=False),
        sa.Column(
            "stored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "publications",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Text, sa.ForeignKey(VERSIONS), nullable=False),
        sa.Column("previous_version", sa.Text),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text, nullable=False),
        sa.Column("event_ids", JSONB, nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_publications_version", "publications", ["version"], schema=SCHEMA)
    op.create_table(
        "track_index",
        sa.Column("catalogue_version", sa.Text, sa.ForeignKey(VERSIONS), primary_key=True),
        sa.Column("track_key", sa.Text, primary_key=True),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_track_index_key_version", "track_index", ["track_key", "version"], schema=SCHEMA
    )
    op.create_table(
        "module_index",
        sa.Column("catalogue_version", sa.Text, sa.ForeignKey(VERSIONS), primary_key=True),
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("module_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("declared_version", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_module_index_module", "module_index", ["module_id", "jurisdiction"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("module_index", schema=SCHEMA)
    op.drop_table("track_index", schema=SCHEMA)
    op.drop_table("publications", schema=SCHEMA)
    op.drop_table("catalogue_versions", schema=SCHEMA)
