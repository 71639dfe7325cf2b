"""export runs: an index for each operator's last success

Revision ID: 0003
Revises: 0002

The export gauges read each operator's last delivered pack every pass. That was a GROUP BY over
every succeeded run (operators x days, growing daily); it is now one index probe per operator
(`ix_export_runs_last_success`, only succeeded runs, newest delivery first).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "audit_export"


def upgrade() -> None:
    op.create_index(
        "ix_export_runs_last_success",
        "export_runs",
        ["operator_id", sa.text("delivered_at DESC NULLS LAST")],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'succeeded'"),
    )


def downgrade() -> None:
    op.drop_index("ix_export_runs_last_success", table_name="export_runs", schema=SCHEMA)
