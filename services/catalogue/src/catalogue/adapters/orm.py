"""Tables of the catalogue schema."""

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from academy_runtime.tables import inbox_table, outbox_table

SCHEMA = "catalogue"
metadata = MetaData(schema=SCHEMA)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

VERSION_KEY = f"{SCHEMA}.catalogue_versions.version"

#: Resolved content, stored once per content-addressed catalogue version (immutable).
catalogue_versions = Table(
    "catalogue_versions",
    metadata,
    Column("version", Text, primary_key=True),
    Column("snapshot", JSONB, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

#: The publication history: `seq` counts 1, 2, 3… without gaps (assigned under a lock).
publications = Table(
    "publications",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("version", Text, ForeignKey(VERSION_KEY), nullable=False),
    Column("previous_version", Text),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False),
    Column("publisher", Text, nullable=False),
    Column("event_ids", JSONB, nullable=False),
    Column("changes", JSONB, nullable=False),
    Index("ix_publications_version", "version"),
)

#: Which track versions a catalogue version contains (for tracks at a version and history).
track_index = Table(
    "track_index",
    metadata,
    Column(
        "catalogue_version",
        Text,
        ForeignKey(VERSION_KEY),
        primary_key=True,
    ),
    Column("track_key", Text, primary_key=True),
    Column("jurisdiction", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("version", Text, nullable=False),
    Index("ix_track_index_key_version", "track_key", "version"),
)

#: Which resolved module version each jurisdiction teaches in a catalogue version.
module_index = Table(
    "module_index",
    metadata,
    Column(
        "catalogue_version",
        Text,
        ForeignKey(VERSION_KEY),
        primary_key=True,
    ),
    Column("jurisdiction", Text, primary_key=True),
    Column("module_id", Text, primary_key=True),
    Column("version", Text, nullable=False),
    Column("declared_version", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Index("ix_module_index_module", "module_id", "jurisdiction"),
)
