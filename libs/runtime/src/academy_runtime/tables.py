"""Runtime tables every service has in its own schema: outbox and inbox."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
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
from sqlalchemy.dialects.postgresql import JSONB


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", Text, nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("handler", Text, primary_key=True),
        Column("event_id", Text, primary_key=True),
        Column("topic", Text, nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel that wakes a schema's outbox relay."""
    return f"{schema}_outbox"


def notify_trigger_sql(schema: str) -> list[str]:
    """DDL for a trigger that NOTIFYs the relay whenever events are added."""
    channel = notify_channel(schema)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {schema}.outbox_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{channel}', '');
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify()
        """,
    ]
