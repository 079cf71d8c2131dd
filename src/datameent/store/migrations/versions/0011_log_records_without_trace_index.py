"""The processing log's records lose their index on the trace id: no query looks a record up
by trace, and keeping a random-ordered index up to date cost about an eighth of the log's
append rate (benchmarks/ledger.py). The trace id itself stays in every record.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 21:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_log_records_trace_id", table_name="log_records")


def downgrade() -> None:
    op.create_index("ix_log_records_trace_id", "log_records", ["trace_id"], unique=False)
