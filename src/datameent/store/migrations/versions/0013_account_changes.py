"""Account administration: the history of every account's changes (made, roles or team changed,
deactivated, reactivated, a new password), by whom and when, for the administrator and the
auditor; and whether an account's holder must choose a new password before anything else (one
that an administrator or the operator gave them).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "changed_by", sa.Uuid(), nullable=True, comment="NULL: the command line on the server"
        ),
        sa.Column(
            "change", sa.String(length=16), nullable=False, comment="domain.accounts.ChangeKind"
        ),
        sa.Column(
            "roles", sa.String(length=200), nullable=True, comment="the roles after the change"
        ),
        sa.Column(
            "team", sa.String(length=100), nullable=True, comment="the team after the change"
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_account_changes_changed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_changes")),
    )
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_changes_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="given by someone else: its holder chooses another first",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_changes_user_id"))
    op.drop_table("account_changes")
