"""Tables of the assessment schema."""

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "assessment"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

operators = Table(
    "operators",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdictions", ARRAY(Text), nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
