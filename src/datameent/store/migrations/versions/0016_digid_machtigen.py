"""DigiD Machtigen: a resident's session may be opened by someone the resident authorised, who
then acts for them. The session keeps a keyed pseudonym of who that is (never their BSN), so
that every processing in it is logged as theirs, on the resident's behalf.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "representative",
                sa.String(length=64),
                nullable=True,
                comment="DigiD Machtigen: a keyed pseudonym of whoever acts for the account's "
                "holder; NULL: the holder",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("representative")
