"""Complaints about conduct (Awb chapter 9): what the resident wrote, whom it is about, who
handles it, the hearing, a postponement and the judgement; every text encrypted with the
resident's key, so that an erasure takes it too.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "conduct", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column(
            "about_id",
            sa.Uuid(),
            nullable=True,
            comment="the employee complained about, if the resident named one",
        ),
        sa.Column(
            "log_index", sa.BigInteger(), nullable=True, comment="the log line it started from"
        ),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="domain.complaints.ComplaintStatus",
        ),
        sa.Column("handler_id", sa.Uuid(), nullable=True),
        sa.Column(
            "hearing", sa.String(length=24), nullable=True, comment="domain.complaints.Hearing"
        ),
        sa.Column("hearing_note", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("postponed", sa.Boolean(), nullable=False),
        sa.Column("postponement_reason", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column(
            "judgement",
            sa.String(length=16),
            nullable=True,
            comment="domain.complaints.Judgement",
        ),
        sa.Column("findings", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["about_id"], ["users.id"], name=op.f("fk_complaints_about_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["users.id"], name=op.f("fk_complaints_handler_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_complaints_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_person_id"))
    op.drop_table("complaints")
