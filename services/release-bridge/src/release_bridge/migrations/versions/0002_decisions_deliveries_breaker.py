"""release policies, certificates, release ledger, deliveries and attempts, breakers, support

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

SCHEMA = "release_bridge"


def _ts(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _updated_at() -> sa.Column:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def upgrade() -> None:
    op.create_table(
        "release_policies",
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("policy", JSONB, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("catalogue_version", sa.Text, nullable=False),
        _ts("published_at", nullable=False),
        _updated_at(),
        schema=SCHEMA,
    )
    op.create_table(
        "certificates",
        sa.Column("certificate_id", sa.Text, primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("track_version", sa.Text, nullable=False),
        _ts("passed_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("expired_at"),
        _ts("revoked_at"),
        _updated_at(),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_certificates_operator_jurisdiction",
        "certificates",
        ["operator_id", "jurisdiction"],
        schema=SCHEMA,
    )
    op.create_index("ix_certificates_jurisdiction", "certificates", ["jurisdiction"], schema=SCHEMA)
    op.create_table(
        "release_ledger",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("epoch", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("released", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("release_id", sa.Text),
        sa.Column("policy_met", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("tooling", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
        _ts("next_check_at"),
        _updated_at(),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_release_ledger_next_check",
        "release_ledger",
        ["next_check_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("next_check_at IS NOT NULL"),
    )
    op.create_table(
        "deliveries",
        sa.Column("webhook_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("webhook_type", sa.Text, nullable=False),
        sa.Column("ordered", sa.Boolean, nullable=False),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("window_attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        _ts("window_started_at", nullable=False),
        _ts("next_attempt_at", nullable=False),
        sa.Column("claim_id", sa.Text),
        _ts("decided_at", nullable=False),
        _ts("triggered_at", nullable=False),
        _ts("acknowledged_at"),
        _ts("delivered_at"),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("stop_cause", sa.Text),
        _updated_at(),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["endpoint", "status", "next_attempt_at"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_deliveries_order",
        "deliveries",
        ["operator_id", "jurisdiction", "seq"],
        schema=SCHEMA,
    )
    op.create_index("ix_deliveries_decided", "deliveries", ["decided_at"], schema=SCHEMA)
    op.create_index(
        "ix_deliveries_unacknowledged",
        "deliveries",
        ["endpoint", "decided_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "webhook_id",
            sa.Text,
            sa.ForeignKey(f"{SCHEMA}.deliveries.webhook_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("claim_id", sa.Text, nullable=False),
        sa.Column("replica", sa.Text, nullable=False),
        _ts("started_at", nullable=False),
        _ts("finished_at"),
        sa.Column("status_code", sa.Integer),
        sa.Column("latency_ms", sa.Float),
        sa.Column("verdict", sa.Text),
        sa.Column("error_kind", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("response_excerpt", sa.Text),
        sa.Column("next_step", sa.Text),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_delivery_attempts_webhook",
        "delivery_attempts",
        ["webhook_id", "attempt"],
        schema=SCHEMA,
    )
    op.create_table(
        "breakers",
        sa.Column("endpoint", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        _updated_at(),
        schema=SCHEMA,
    )
    op.create_table(
        "support_actions",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("operator_id", sa.Text),
        sa.Column("target", sa.Text),
        sa.Column("details", JSONB, nullable=False),
        _ts("at", nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "support_actions",
        "breakers",
        "delivery_attempts",
        "deliveries",
        "release_ledger",
        "certificates",
        "release_policies",
    ):
        op.drop_table(table, schema=SCHEMA)
