"""Tables of the catalogue schema."""

from sqlalchemy import MetaData

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "catalogue"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
