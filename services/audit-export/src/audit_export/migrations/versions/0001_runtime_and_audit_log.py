"""runtime tables, append-only audit log and log heads

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from academy_runtime.migrations import create_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "audit_export"


def upgrade() -> None:
    create_runtime_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "audit_log",
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("ce_type", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("operator_id", "idx"),
        sa.UniqueConstraint("event_id", name="uq_audit_log_event_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_audit_log_operator_recorded", "audit_log", ["operator_id", "recorded_at"], schema=SCHEMA
    )
    op.create_table(
        "log_heads",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("frontier", ARRAY(BYTEA), nullable=False),
        schema=SCHEMA,
    )
    # The log is append-only: the database itself refuses to change or remove history.
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.audit_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON {SCHEMA}.audit_log
        FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_log_append_only()
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {SCHEMA}.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_log_append_only()
        """
    )


def downgrade() -> None:
    op.drop_table("log_heads", schema=SCHEMA)
    op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_truncate ON {SCHEMA}.audit_log")
    op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_update_delete ON {SCHEMA}.audit_log")
    op.drop_table("audit_log", schema=SCHEMA)
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.audit_log_append_only()")
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
