"""The registry of trained effect models (what works for whom), and residents' objections to
suggestions (GDPR art. 21).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 15:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "effect_models",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_by", sa.Uuid(), nullable=True),
        sa.Column(
            "file",
            sa.Text(),
            nullable=False,
            comment="path of the saved model, in the data directory",
        ),
        sa.Column(
            "sha256",
            sa.String(length=64),
            nullable=False,
            comment="the file is refused if it changed",
        ),
        sa.Column("reliable", sa.Boolean(), nullable=False, comment="passed the held-out test"),
        sa.Column(
            "card", sa.Text(), nullable=False, comment="the model card, JSON; no personal data"
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["trained_by"], ["users.id"], name=op.f("fk_effect_models_trained_by_users")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_effect_models")),
    )
    op.create_table(
        "effect_objections",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "objected_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="art. 21: no suggestions since",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_effect_objections_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_effect_objections")),
    )


def downgrade() -> None:
    op.drop_table("effect_objections")
    op.drop_table("effect_models")
