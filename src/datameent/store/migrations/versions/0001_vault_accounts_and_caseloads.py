"""Vault, accounts and caseloads: the foundation schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:30:25.263795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_attempts_client_key_attempted_at"),
            ["client_key", "attempted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_login_attempts_username_key_attempted_at"),
            ["username_key", "attempted_at"],
            unique=False,
        )

    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_number", sa.String(length=20), nullable=False),
        sa.Column("bsn_index", sa.String(length=64), nullable=False),
        sa.Column("bsn_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("data_key", sa.LargeBinary(), nullable=True, comment="wrapped; NULL once erased"),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("bsn_index", name=op.f("uq_persons_bsn_index")),
        sa.UniqueConstraint("client_number", name=op.f("uq_persons_client_number")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "password_hash", sa.String(length=200), nullable=True, comment="NULL: cannot log in"
        ),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_users_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("person_id", name=op.f("uq_users_person_id")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "attribute_values",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("instrument_version", sa.String(length=32), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("supersedes", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_attribute_values_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_attribute_values_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"],
            ["attribute_values.id"],
            name=op.f("fk_attribute_values_supersedes_attribute_values"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute_values")),
    )
    with op.batch_alter_table("attribute_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attribute_values_person_id_key"), ["person_id", "key"], unique=False
        )
        batch_op.create_index(
            "uq_attribute_values_current",
            ["person_id", "key"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "case_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_manager_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_case_assignments_assigned_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_manager_id"],
            ["users.id"],
            name=op.f("fk_case_assignments_case_manager_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_case_assignments_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
    )
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_assignments_case_manager_id"), ["case_manager_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_assignments_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_case_assignments_open",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("ends_at IS NULL"),
            postgresql_where=sa.text("ends_at IS NULL"),
        )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )


def downgrade() -> None:
    op.drop_table("user_roles")
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_case_assignments_open",
            sqlite_where=sa.text("ends_at IS NULL"),
            postgresql_where=sa.text("ends_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_case_assignments_person_id"))
        batch_op.drop_index(batch_op.f("ix_case_assignments_case_manager_id"))

    op.drop_table("case_assignments")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))

    op.drop_table("auth_sessions")
    with op.batch_alter_table("attribute_values", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_attribute_values_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index(batch_op.f("ix_attribute_values_person_id_key"))

    op.drop_table("attribute_values")
    op.drop_table("users")
    op.drop_table("persons")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_username_key_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_login_attempts_client_key_attempted_at"))

    op.drop_table("login_attempts")
