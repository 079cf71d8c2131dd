"""Differential privacy: a budget (epsilon) per consumer domain, and every release it paid for.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 10:49:12.124807
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_budgets",
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("total", sa.Float(), nullable=False, comment="epsilon this domain may spend"),
        sa.Column("spent", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_privacy_budgets")),
    )
    op.create_table(
        "privacy_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column(
            "description", sa.Text(), nullable=False, comment="measure and breakdowns, no values"
        ),
        sa.ForeignKeyConstraint(
            ["domain"],
            ["privacy_budgets.domain"],
            name=op.f("fk_privacy_releases_domain_privacy_budgets"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_privacy_releases_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_releases")),
    )
    with op.batch_alter_table("privacy_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_releases_domain"), ["domain"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_releases_domain"))

    op.drop_table("privacy_releases")
    op.drop_table("privacy_budgets")
