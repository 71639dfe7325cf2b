"""Tables of the audit_export schema: the append-only per-operator audit log."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "audit_export"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

audit_log = Table(
    "audit_log",
    metadata,
    Column("operator_id", Text, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("ce_type", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("line", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("operator_id", "idx"),
    UniqueConstraint("event_id", name="uq_audit_log_event_id"),
)

log_heads = Table(
    "log_heads",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("frontier", ARRAY(BYTEA), nullable=False),
)
