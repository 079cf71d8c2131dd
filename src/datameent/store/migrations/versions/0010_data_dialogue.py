"""The data dialogue: sessions with their join code, anonymous participants, their votes in
the database game and answers to the questionnaire, the statements, and the group-talk notes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:46:20.870983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialogue_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "code", sa.String(length=8), nullable=False, comment="the join code on the screen"
        ),
        sa.Column("facilitator_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column(
            "stage", sa.Integer(), nullable=False, comment="index into domain.dialogue.STAGES"
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="the join code works until then",
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["users.id"], name=op.f("fk_dialogue_sessions_facilitator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_sessions")),
        sa.UniqueConstraint("code", name=op.f("uq_dialogue_sessions_code")),
    )
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_sessions_facilitator_id"), ["facilitator_id"], unique=False
        )

    op.create_table(
        "dialogue_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("table_label", sa.String(length=40), nullable=False),
        sa.Column(
            "text", sa.Text(), nullable=False, comment="the facilitator's notes of a group talk"
        ),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_dialogue_notes_session_id_dialogue_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_notes")),
    )
    with op.batch_alter_table("dialogue_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_notes_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "dialogue_participants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column(
            "token_hash", sa.String(length=64), nullable=False, comment="SHA-256 of the cookie"
        ),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_dialogue_participants_session_id_dialogue_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_participants")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dialogue_participants_token_hash")),
    )
    with op.batch_alter_table("dialogue_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_participants_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "dialogue_statements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_dialogue_statements_session_id_dialogue_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_statements")),
    )
    with op.batch_alter_table("dialogue_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_statements_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "dialogue_responses",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False, comment="1 (strongly disagree) to 5"),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["dialogue_participants.id"],
            name=op.f("fk_dialogue_responses_participant_id_dialogue_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_dialogue_responses_session_id_dialogue_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["dialogue_statements.id"],
            name=op.f("fk_dialogue_responses_statement_id_dialogue_statements"),
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", "statement_id", name=op.f("pk_dialogue_responses")
        ),
    )
    with op.batch_alter_table("dialogue_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_responses_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "dialogue_votes",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["dialogue_participants.id"],
            name=op.f("fk_dialogue_votes_participant_id_dialogue_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_dialogue_votes_session_id_dialogue_sessions"),
        ),
        sa.PrimaryKeyConstraint("participant_id", "step", name=op.f("pk_dialogue_votes")),
    )
    with op.batch_alter_table("dialogue_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_votes_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dialogue_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_votes_session_id"))

    op.drop_table("dialogue_votes")
    with op.batch_alter_table("dialogue_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_responses_session_id"))

    op.drop_table("dialogue_responses")
    with op.batch_alter_table("dialogue_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_statements_session_id"))

    op.drop_table("dialogue_statements")
    with op.batch_alter_table("dialogue_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_participants_session_id"))

    op.drop_table("dialogue_participants")
    with op.batch_alter_table("dialogue_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_notes_session_id"))

    op.drop_table("dialogue_notes")
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_sessions_facilitator_id"))

    op.drop_table("dialogue_sessions")
