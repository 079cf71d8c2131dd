"""The register of processing activities (GDPR art. 30) in the database, versioned, so the
privacy officer keeps it. Its first version is written after the migrations
(`store.registers.seed_activities`), from `domain.processing.SEED`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processing_register",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "document", sa.Text(), nullable=False, comment="JSON: the fields of GDPR art. 30(1)"
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_processing_register_published_by_users")
        ),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_processing_register")),
    )


def downgrade() -> None:
    op.drop_table("processing_register")
