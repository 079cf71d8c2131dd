"""Processing log and Merkle ledger; the ledger starts empty.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:48:28.244030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column(
            "frontier", sa.LargeBinary(), nullable=False, comment="right-edge subtree hashes"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_nodes")),
    )
    op.create_table(
        "log_records",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activity_uri", sa.String(length=200), nullable=False),
        sa.Column(
            "subject", sa.String(length=64), nullable=True, comment="pseudonym of the person"
        ),
        sa.Column("payload", sa.Text(), nullable=True, comment="canonical JSON; NULL once erased"),
        sa.Column("digest", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_log_records")),
    )
    with op.batch_alter_table("log_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_log_records_subject_seq"), ["subject", "seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_log_records_trace_id"), ["trace_id"], unique=False)

    op.create_table(
        "audit_records",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "rule", sa.String(length=40), nullable=False, comment="the policy rule that decided"
        ),
        sa.Column("payload", sa.Text(), nullable=True, comment="canonical JSON; NULL once erased"),
        sa.ForeignKeyConstraint(
            ["seq"], ["log_records.seq"], name=op.f("fk_audit_records_seq_log_records")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_records_user_id_users")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_records")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_user_id"), ["user_id"], unique=False)

    ledger_head = sa.table(
        "ledger_head",
        sa.column("id", sa.Integer),
        sa.column("size", sa.BigInteger),
        sa.column("frontier", sa.LargeBinary),
    )
    op.bulk_insert(ledger_head, [{"id": 1, "size": 0, "frontier": b""}])


def downgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_user_id"))

    op.drop_table("audit_records")
    with op.batch_alter_table("log_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_records_trace_id"))
        batch_op.drop_index(batch_op.f("ix_log_records_subject_seq"))

    op.drop_table("log_records")
    op.drop_table("ledger_nodes")
    op.drop_table("ledger_head")
    op.drop_table("ledger_checkpoints")
