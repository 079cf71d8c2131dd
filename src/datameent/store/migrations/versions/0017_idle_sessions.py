"""Browser sessions end after a while without a request (a computer in a library left logged
in): each web session keeps the moment it ends if no request comes before, moved on by the
requests that come. API tokens keep only their expiry.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "idle_until",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="web sessions: the session ends unless a request comes before this; "
                "NULL: no such limit (API tokens)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("idle_until")
