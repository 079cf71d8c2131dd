"""Single sign-on for employees: the identity provider (OpenID Connect issuer) an account logs
in through and its identifier there (`sub`), bound at the first login through it. An account so
bound has no password here.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sso_issuer",
                sa.String(length=255),
                nullable=True,
                comment="the identity provider (OpenID Connect issuer) it logs in through; "
                "NULL: none",
            )
        )
        batch_op.add_column(
            sa.Column(
                "sso_subject",
                sa.String(length=255),
                nullable=True,
                comment="its identifier (sub) there",
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_sso_issuer_sso_subject"), ["sso_issuer", "sso_subject"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_sso_issuer_sso_subject"), type_="unique")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("sso_issuer")
