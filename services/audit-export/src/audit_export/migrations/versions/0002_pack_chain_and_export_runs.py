"""log heads keep the compact range and time floor; pack chain, export runs

Revision ID: 0002
Revises: 0001

0001's ingest kept `log_heads.frontier` empty; this revision recomputes it (RFC 6962 compact
range over the stored leaf hashes, in index order) for logs written before it, and records
each log's latest `recorded_at`, so appends from now on stay non-decreasing in time.
The audit log itself is not touched (its triggers refuse that anyway).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from auditpack.merkle import MerkleAccumulator

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "audit_export"


def _ts(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _backfill_heads() -> None:
    bind = op.get_bind()
    heads = bind.execute(sa.text(f"SELECT operator_id, size FROM {SCHEMA}.log_heads")).all()
    for operator_id, size in heads:
        accumulator = MerkleAccumulator()
        rows = bind.execute(
            sa.text(
                f"SELECT leaf_hash FROM {SCHEMA}.audit_log WHERE operator_id = :op ORDER BY idx"
            ),
            {"op": operator_id},
        )
        for (leaf,) in rows:
            accumulator.add(bytes(leaf))
        state = accumulator.state()
        if state.size != size:
            raise RuntimeError(f"log of {operator_id}: {state.size} rows but head says {size}")
        bind.execute(
            sa.text(
                f"UPDATE {SCHEMA}.log_heads SET frontier = :frontier, last_recorded_at = "
                f"(SELECT max(recorded_at) FROM {SCHEMA}.audit_log WHERE operator_id = :op) "
                "WHERE operator_id = :op"
            ).bindparams(sa.bindparam("frontier", type_=ARRAY(BYTEA))),
            {"op": operator_id, "frontier": list(state.frontier)},
        )


def upgrade() -> None:
    op.add_column("log_heads", _ts("last_recorded_at"), schema=SCHEMA)
    op.add_column("log_heads", _ts("sealed_until"), schema=SCHEMA)
    _backfill_heads()
    op.create_table(
        "pack_chains",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("first_day", sa.Date, nullable=False),
        _ts("registered_at", nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "packs",
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("pack_seq", sa.BigInteger, nullable=False),
        sa.Column("previous_manifest_sha256", sa.Text),
        sa.Column("manifest_sha256", sa.Text, nullable=False),
        sa.Column("tree_size_before", sa.BigInteger, nullable=False),
        sa.Column("frontier_before", ARRAY(BYTEA), nullable=False),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("frontier", ARRAY(BYTEA), nullable=False),
        sa.Column("root", sa.Text, nullable=False),
        sa.Column("key_id", sa.Text, nullable=False),
        sa.Column("event_count", sa.BigInteger, nullable=False),
        sa.Column("zip_bytes", sa.BigInteger, nullable=False),
        sa.Column("zip_sha256", sa.Text, nullable=False),
        _ts("built_at", nullable=False),
        sa.PrimaryKeyConstraint("operator_id", "day"),
        sa.UniqueConstraint("operator_id", "pack_seq", name="uq_packs_operator_seq"),
        schema=SCHEMA,
    )
    # A built pack is a link of the chain the next pack signs: it never changes either.
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.packs_immutable() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'packs is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER packs_no_update_delete BEFORE UPDATE OR DELETE ON {SCHEMA}.packs
        FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.packs_immutable()
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER packs_no_truncate BEFORE TRUNCATE ON {SCHEMA}.packs
        FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.packs_immutable()
        """
    )
    op.create_table(
        "export_runs",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text),
        sa.Column("failure_reason", sa.Text),
        _ts("next_attempt_at"),
        sa.Column("remote_path", sa.Text),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        _ts("delivered_at"),
        sa.UniqueConstraint("operator_id", "day", name="uq_export_runs_operator_day"),
        sa.CheckConstraint(
            "status IN ('pending', 'failed', 'awaiting_target', 'succeeded')",
            name="ck_export_runs_status",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_export_runs_open",
        "export_runs",
        ["operator_id", "day"],
        schema=SCHEMA,
        postgresql_where=sa.text("status <> 'succeeded'"),
    )


def downgrade() -> None:
    op.drop_index("ix_export_runs_open", table_name="export_runs", schema=SCHEMA)
    op.drop_table("export_runs", schema=SCHEMA)
    op.execute(f"DROP TRIGGER IF EXISTS packs_no_truncate ON {SCHEMA}.packs")
    op.execute(f"DROP TRIGGER IF EXISTS packs_no_update_delete ON {SCHEMA}.packs")
    op.drop_table("packs", schema=SCHEMA)
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.packs_immutable()")
    op.drop_table("pack_chains", schema=SCHEMA)
    op.drop_column("log_heads", "sealed_until", schema=SCHEMA)
    op.drop_column("log_heads", "last_recorded_at", schema=SCHEMA)
