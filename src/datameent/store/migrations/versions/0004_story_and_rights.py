"""My story (versioned sections, shared per case) and the resident's rights requests.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:08:52.901970
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_sections",
        sa.Column("id", sa.Uuid(), nullable=False, comment="one version of one section"),
        sa.Column(
            "section_id", sa.Uuid(), nullable=False, comment="the section, stable over versions"
        ),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "title", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.Column(
            "body", sa.LargeBinary(), nullable=False, comment="encrypted with the person's key"
        ),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_story_sections_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_sections")),
    )
    with op.batch_alter_table("story_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_sections_person_id_section_id_version"),
            ["person_id", "section_id", "version"],
            unique=True,
        )

    op.create_table(
        "rights_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", sa.String(length=16), nullable=False, comment="correction, erasure or objection"
        ),
        sa.Column(
            "subject", sa.String(length=64), nullable=True, comment="attribute key or purpose code"
        ),
        sa.Column("value_id", sa.Uuid(), nullable=True),
        sa.Column("explanation", sa.LargeBinary(), nullable=False, comment="encrypted"),
        sa.Column(
            "proposed", sa.LargeBinary(), nullable=True, comment="encrypted: the proposed value"
        ),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_rights_requests_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_rights_requests_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["value_id"],
            ["attribute_values.id"],
            name=op.f("fk_rights_requests_value_id_attribute_values"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_requests_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rights_requests_status"), ["status"], unique=False)

    op.create_table(
        "story_shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_story_shares_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_story_shares_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_shares")),
    )
    with op.batch_alter_table("story_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_shares_person_id"), ["person_id"], unique=False)

    op.create_table(
        "erasure_confirmations",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_erasure_confirmations_grant_id_grants")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_erasure_confirmations_recipient_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_erasure_confirmations_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "recipient_id", name=op.f("pk_erasure_confirmations")
        ),
    )


def downgrade() -> None:
    op.drop_table("erasure_confirmations")
    with op.batch_alter_table("story_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_shares_person_id"))

    op.drop_table("story_shares")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_status"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_person_id"))

    op.drop_table("rights_requests")
    with op.batch_alter_table("story_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_sections_person_id_section_id_version"))

    op.drop_table("story_sections")
