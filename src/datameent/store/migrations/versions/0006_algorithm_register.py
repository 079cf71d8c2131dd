"""The public algorithm register (Algoritmeregister publication standard), versioned.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:00:18.292596
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "algorithm_register",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "document", sa.Text(), nullable=False, comment="JSON: the publication standard's fields"
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_algorithm_register_published_by_users")
        ),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_algorithm_register")),
    )


def downgrade() -> None:
    op.drop_table("algorithm_register")
