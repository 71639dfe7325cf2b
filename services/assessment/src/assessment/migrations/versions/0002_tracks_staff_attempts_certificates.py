"""tracks and policies learned from the catalogue; staff, progress, attempts, certificates

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "assessment"
TS = sa.DateTime(timezone=True)


def _staff_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["operator_id", "staff_id"],
        [f"{SCHEMA}.staff.operator_id", f"{SCHEMA}.staff.staff_id"],
    )


def upgrade() -> None:
    op.create_table(
        "tracks",
        sa.Column("track_key", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("catalogue_version", sa.Text, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_tracks_current", "tracks", ["track_key", "published_at", "seq"], schema=SCHEMA)
    op.create_index("ix_tracks_jurisdiction", "tracks", ["jurisdiction"], schema=SCHEMA)

    op.create_table(
        "release_policies",
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("catalogue_version", sa.Text, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("policy", JSONB, nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "jurisdictions",
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("regulator", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("catalogue_version", sa.Text, nullable=False),
        sa.Column("added_at", TS, nullable=False),
        schema=SCHEMA,
    )

    op.create_table(
        "staff",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("staff_id", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("provisioned_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "lesson_completions",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("staff_id", sa.Text, primary_key=True),
        sa.Column("track_key", sa.Text, primary_key=True),
        sa.Column("module_id", sa.Text, primary_key=True),
        sa.Column("lesson_id", sa.Text, primary_key=True),
        sa.Column("lesson_version", sa.Text, primary_key=True),
        sa.Column("track_version", sa.Text, nullable=False),
        sa.Column("completed_at", TS, nullable=False),
        _staff_fk(),
        schema=SCHEMA,
    )
    op.create_table(
        "attempts",
        sa.Column("attempt_id", sa.Text, primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("track_key", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("track_version", sa.Text, nullable=False),
        sa.Column("attempt_number", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("question_ids", ARRAY(sa.Text), nullable=False),
        sa.Column("exam", JSONB, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("submitted_at", TS),
        sa.Column("score", sa.Integer),
        sa.Column("result", sa.Text),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("request_hash", sa.Text),
        sa.Column("outcome", JSONB),
        _staff_fk(),
        sa.UniqueConstraint("operator_id", "staff_id", "track_key", "attempt_number"),
        schema=SCHEMA,
    )
    op.create_index(
        "ux_attempts_one_open",
        "attempts",
        ["operator_id", "staff_id", "track_key"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_attempts_overdue",
        "attempts",
        ["deadline"],
        postgresql_where=sa.text("status = 'open'"),
        schema=SCHEMA,
    )
    op.create_table(
        "attempt_resets",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("track_key", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reset_at", TS, nullable=False),
        _staff_fk(),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_attempt_resets_staff",
        "attempt_resets",
        ["operator_id", "staff_id", "track_key"],
        schema=SCHEMA,
    )
    op.create_table(
        "certificates",
        sa.Column("certificate_id", sa.Text, primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("staff_name", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("track_key", sa.Text, nullable=False),
        sa.Column("track_version", sa.Text, nullable=False),
        sa.Column("attempt_id", sa.Text, nullable=False, unique=True),
        sa.Column("passed_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("recert_window_opens_at", TS, nullable=False),
        sa.Column("verification_code", sa.Text, nullable=False, unique=True),
        sa.Column("recertifies", sa.Text),
        sa.Column("superseded_by", sa.Text),
        sa.Column("superseded_at", TS),
        sa.Column("revoked_at", TS),
        sa.Column("revoked_by", sa.Text),
        sa.Column("revocation_reason", sa.Text),
        sa.Column("expiring_notice_sent_at", TS),
        sa.Column("expired_notice_sent_at", TS),
        _staff_fk(),
        sa.ForeignKeyConstraint(["attempt_id"], [f"{SCHEMA}.attempts.attempt_id"]),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_certificates_holder",
        "certificates",
        ["operator_id", "staff_id", "track_key"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_certificates_operator", "certificates", ["operator_id", "jurisdiction"], schema=SCHEMA
    )
    op.create_index(
        "ix_certificates_notices_due",
        "certificates",
        ["recert_window_opens_at", "expires_at"],
        postgresql_where=sa.text(
            "expired_notice_sent_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL"
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "certificates",
        "attempt_resets",
        "attempts",
        "lesson_completions",
        "staff",
        "jurisdictions",
        "release_policies",
        "tracks",
    ):
        op.drop_table(table, schema=SCHEMA)
