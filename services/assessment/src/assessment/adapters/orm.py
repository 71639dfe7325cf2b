"""Tables of the assessment schema (every tenant-owned row carries `operator_id`)."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "assessment"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def _now_column(name: str) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


operators = Table(
    "operators",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdictions", ARRAY(Text), nullable=False),
    Column("updated_by", Text, nullable=False),
    _now_column("updated_at"),
)

# -- learned from academy.catalogue.v1 (platform-wide, not tenant-owned) ---------------------
tracks = Table(
    "tracks",
    metadata,
    Column("track_key", Text, primary_key=True),
    Column("version", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("jurisdiction", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("catalogue_version", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("body", JSONB, nullable=False),
    Column("event_id", Text, nullable=False),
    _now_column("received_at"),
    Index("ix_tracks_current", "track_key", "published_at", "seq"),
    Index("ix_tracks_jurisdiction", "jurisdiction"),
)

release_policies = Table(
    "release_policies",
    metadata,
    Column("jurisdiction", Text, primary_key=True),
    Column("version", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("catalogue_version", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("policy", JSONB, nullable=False),
    _now_column("received_at"),
)

jurisdictions = Table(
    "jurisdictions",
    metadata,
    Column("jurisdiction", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("regulator", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("catalogue_version", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

# -- tenant-owned ------------------------------------------------------------------------------
staff = Table(
    "staff",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("staff_id", Text, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("provisioned_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

lesson_completions = Table(
    "lesson_completions",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("staff_id", Text, primary_key=True),
    Column("track_key", Text, primary_key=True),
    Column("module_id", Text, primary_key=True),
    Column("lesson_id", Text, primary_key=True),
    Column("lesson_version", Text, primary_key=True),
    Column("track_version", Text, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(["operator_id", "staff_id"], ["staff.operator_id", "staff.staff_id"]),
)

attempts = Table(
    "attempts",
    metadata,
    Column("attempt_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("staff_id", Text, nullable=False),
    Column("track_key", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("track_version", Text, nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("question_ids", ARRAY(Text), nullable=False),
    Column("exam", JSONB, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("score", Integer),
    Column("result", Text),
    Column("idempotency_key", Text),
    Column("request_hash", Text),
    Column("outcome", JSONB),
    ForeignKeyConstraint(["operator_id", "staff_id"], ["staff.operator_id", "staff.staff_id"]),
    UniqueConstraint("operator_id", "staff_id", "track_key", "attempt_number"),
    Index(
        "ux_attempts_one_open",
        "operator_id",
        "staff_id",
        "track_key",
        unique=True,
        postgresql_where=text("status = 'open'"),
    ),
    Index("ix_attempts_overdue", "deadline", postgresql_where=text("status = 'open'")),
)

attempt_resets = Table(
    "attempt_resets",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("staff_id", Text, nullable=False),
    Column("track_key", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("reset_at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(["operator_id", "staff_id"], ["staff.operator_id", "staff.staff_id"]),
    Index("ix_attempt_resets_staff", "operator_id", "staff_id", "track_key"),
)

training_waivers = Table(
    "training_waivers",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("staff_id", Text, nullable=False),
    Column("track_key", Text, nullable=False),
    Column("track_version", Text, nullable=False),
    Column("modules_waived", ARRAY(Text), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("waived_at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(["operator_id", "staff_id"], ["staff.operator_id", "staff.staff_id"]),
    Index("ix_training_waivers_staff", "operator_id", "staff_id", "track_key", "track_version"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("certificate_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("staff_id", Text, nullable=False),
    Column("staff_name", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("track_key", Text, nullable=False),
    Column("track_version", Text, nullable=False),
    Column("attempt_id", Text, nullable=False, unique=True),
    Column("passed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("recert_window_opens_at", DateTime(timezone=True), nullable=False),
    Column("verification_code", Text, nullable=False, unique=True),
    Column("recertifies", Text),
    Column("superseded_by", Text),
    Column("superseded_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", Text),
    Column("revocation_reason", Text),
    Column("expiring_notice_sent_at", DateTime(timezone=True)),
    Column("expired_notice_sent_at", DateTime(timezone=True)),
    ForeignKeyConstraint(["operator_id", "staff_id"], ["staff.operator_id", "staff.staff_id"]),
    ForeignKeyConstraint(["attempt_id"], ["attempts.attempt_id"]),
    Index("ix_certificates_holder", "operator_id", "staff_id", "track_key"),
    Index("ix_certificates_operator", "operator_id", "jurisdiction"),
    Index(
        "ix_certificates_notices_due",
        "recert_window_opens_at",
        "expires_at",
        postgresql_where=text(
            "expired_notice_sent_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL"
        ),
    ),
)
