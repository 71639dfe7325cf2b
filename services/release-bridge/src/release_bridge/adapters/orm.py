"""Tables of the release_bridge schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "release_bridge"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def _ts(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _updated_at() -> Column[object]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


operator_jurisdictions = Table(
    "operator_jurisdictions",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdictions", ARRAY(Text), nullable=False),
    _updated_at(),
)

#: The latest release policy per jurisdiction, from the catalogue.
release_policies = Table(
    "release_policies",
    metadata,
    Column("jurisdiction", Text, primary_key=True),
    Column("policy", JSONB, nullable=False),
    Column("version", Text, nullable=False),
    Column("catalogue_version", Text, nullable=False),
    _ts("published_at", nullable=False),
    _updated_at(),
)

#: Certificates as the bridge last heard of them (issued, expired, revoked).
certificates = Table(
    "certificates",
    metadata,
    Column("certificate_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("staff_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("track_version", Text, nullable=False),
    _ts("passed_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("expired_at"),
    _ts("revoked_at"),
    # The TrainingRecord from the issue event; NULL for certificates issued without one.
    Column("training", JSONB(none_as_null=True)),
    _updated_at(),
    Index("ix_certificates_operator_jurisdiction", "operator_id", "jurisdiction"),
    Index("ix_certificates_jurisdiction", "jurisdiction"),
)

#: One row per operator and jurisdiction: the release epoch, locked while deciding.
release_ledger = Table(
    "release_ledger",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdiction", Text, primary_key=True),
    Column("epoch", Integer, nullable=False, server_default=text("0")),
    Column("released", Boolean, nullable=False, server_default=text("false")),
    Column("release_id", Text),
    Column("policy_met", Boolean, nullable=False, server_default=text("false")),
    Column("tooling", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    _ts("next_check_at"),
    _updated_at(),
    Index(
        "ix_release_ledger_next_check",
        "next_check_at",
        postgresql_where=text("next_check_at IS NOT NULL"),
    ),
)

#: Every webhook to send, with its frozen body; status pending | held | parked | delivered.
deliveries = Table(
    "deliveries",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("webhook_type", Text, nullable=False),
    Column("ordered", Boolean, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("window_attempts", Integer, nullable=False, server_default=text("0")),
    _ts("window_started_at", nullable=False),
    _ts("next_attempt_at", nullable=False),
    Column("claim_id", Text),
    _ts("decided_at", nullable=False),
    _ts("triggered_at", nullable=False),
    _ts("acknowledged_at"),
    _ts("delivered_at"),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("stop_cause", Text),
    _updated_at(),
    Index("ix_deliveries_due", "endpoint", "status", "next_attempt_at"),
    Index("ix_deliveries_order", "operator_id", "jurisdiction", "seq"),
    Index("ix_deliveries_decided", "decided_at"),
    Index(
        "ix_deliveries_unacknowledged",
        "endpoint",
        "decided_at",
        postgresql_where=text("acknowledged_at IS NULL"),
    ),
)

#: The delivery ledger: one row per attempt, opened when claimed, closed with its outcome.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column(
        "webhook_id",
        Text,
        ForeignKey(f"{SCHEMA}.deliveries.webhook_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("attempt", Integer, nullable=False),
    Column("claim_id", Text, nullable=False),
    Column("replica", Text, nullable=False),
    _ts("started_at", nullable=False),
    _ts("finished_at"),
    Column("status_code", Integer),
    Column("latency_ms", Float),
    Column("verdict", Text),
    Column("error_kind", Text),
    Column("error", Text),
    Column("response_excerpt", Text),
    Column("next_step", Text),
    Index("ix_delivery_attempts_webhook", "webhook_id", "attempt"),
)

#: Circuit breaker state per portal endpoint (one row, updated under a row lock).
breakers = Table(
    "breakers",
    metadata,
    Column("endpoint", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("state", JSONB, nullable=False),
    _updated_at(),
)

#: Manual actions by support staff, with actor and reason (also emitted as audit events).
support_actions = Table(
    "support_actions",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("operator_id", Text),
    Column("target", Text),
    Column("details", JSONB, nullable=False),
    _ts("at", nullable=False),
)
