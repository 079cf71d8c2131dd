"""Decisions (besluiten) with the attribute versions they relied on, and contesting them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:45:10.437690
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "outcome", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_known_on", sa.Date(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("activity_uri", sa.String(length=200), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("model_output", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("model_explanation", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("supersedes", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_decisions_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["decisions.id"], name=op.f("fk_decisions_supersedes_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_decided_by"), ["decided_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "contestations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "grounds", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("late_reason", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reasons", sa.LargeBinary(), nullable=True, comment="encrypted"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("new_decision_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_contestations_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["new_decision_id"],
            ["decisions.id"],
            name=op.f("fk_contestations_new_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_contestations_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_contestations_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contestations")),
    )
    with op.batch_alter_table("contestations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contestations_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contestations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contestations_status"), ["status"], unique=False)

    op.create_table(
        "decision_values",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("value_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_values_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["value_id"],
            ["attribute_values.id"],
            name=op.f("fk_decision_values_value_id_attribute_values"),
        ),
        sa.PrimaryKeyConstraint("decision_id", "value_id", name=op.f("pk_decision_values")),
    )
    with op.batch_alter_table("decision_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_values_value_id"), ["value_id"], unique=False)

    op.create_table(
        "contest_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contestation_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False, comment="encrypted"),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "content", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.ForeignKeyConstraint(
            ["contestation_id"],
            ["contestations.id"],
            name=op.f("fk_contest_attachments_contestation_id_contestations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest_attachments")),
    )
    with op.batch_alter_table("contest_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contest_attachments_contestation_id"), ["contestation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contest_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_attachments_contestation_id"))

    op.drop_table("contest_attachments")
    with op.batch_alter_table("decision_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_values_value_id"))

    op.drop_table("decision_values")
    with op.batch_alter_table("contestations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contestations_status"))
        batch_op.drop_index(batch_op.f("ix_contestations_person_id"))
        batch_op.drop_index(batch_op.f("ix_contestations_decision_id"))

    op.drop_table("contestations")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_person_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_decided_by"))

    op.drop_table("decisions")
