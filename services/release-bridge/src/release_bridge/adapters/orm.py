"""Tables of the release_bridge schema."""

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "release_bridge"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

operator_jurisdictions = Table(
    "operator_jurisdictions",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdictions", ARRAY(Text), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
