"""Tables of the audit_export schema: the append-only per-operator log, pack chain, export runs."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "audit_export"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

#: One row per event, append-only (triggers refuse UPDATE, DELETE and TRUNCATE).
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

#: Per operator: the log's size and compact range, and the times appends must not precede.
log_heads = Table(
    "log_heads",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("frontier", ARRAY(BYTEA), nullable=False),
    Column("last_recorded_at", DateTime(timezone=True)),
    Column("sealed_until", DateTime(timezone=True)),
)

#: Per operator: the first day of its pack chain (fixed once chosen, so rebuilds agree).
pack_chains = Table(
    "pack_chains",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("first_day", Date, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

#: One row per built daily pack: what the next pack and a byte-identical rebuild need.
packs = Table(
    "packs",
    metadata,
    Column("operator_id", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("pack_seq", BigInteger, nullable=False),
    Column("previous_manifest_sha256", Text),
    Column("manifest_sha256", Text, nullable=False),
    Column("tree_size_before", BigInteger, nullable=False),
    Column("frontier_before", ARRAY(BYTEA), nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("frontier", ARRAY(BYTEA), nullable=False),
    Column("root", Text, nullable=False),
    Column("key_id", Text, nullable=False),
    Column("event_count", BigInteger, nullable=False),
    Column("zip_bytes", BigInteger, nullable=False),
    Column("zip_sha256", Text, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("operator_id", "day"),
    UniqueConstraint("operator_id", "pack_seq", name="uq_packs_operator_seq"),
)

#: One row per operator-day delivery: status, attempts, last error, next retry.
export_runs = Table(
    "export_runs",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("failure_reason", Text),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("remote_path", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    UniqueConstraint("operator_id", "day", name="uq_export_runs_operator_day"),
    CheckConstraint(
        "status IN ('pending', 'failed', 'awaiting_target', 'succeeded')",
        name="ck_export_runs_status",
    ),
    Index(
        "ix_export_runs_open", "operator_id", "day", postgresql_where=text("status <> 'succeeded'")
    ),
)
#: Each operator's last success as one index probe (the export gauges read it every pass).
Index(
    "ix_export_runs_last_success",
    export_runs.c.operator_id,
    export_runs.c.delivered_at.desc().nulls_last(),
    postgresql_where=text("status = 'succeeded'"),
)
