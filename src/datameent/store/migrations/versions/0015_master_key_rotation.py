"""Rotating the master key: the identifier keys (the BSN's blind index, keyed lookups, the log's
subject pseudonyms) kept wrapped under the current master key from the first rotation on, so
that they outlive the master key they were derived from; and each rotation, when it started
and finished and how many data keys it wrapped again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identifier_keys",
        sa.Column(
            "name", sa.String(length=32), nullable=False, comment="store.crypto.Identifiers.NAMES"
        ),
        sa.Column(
            "key_version", sa.Integer(), nullable=False, comment="the master key that wraps it"
        ),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_identifier_keys")),
        comment="kept from the first rotation of the master key on (store/crypto.py)",
    )
    op.create_table(
        "key_rotations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False, comment="the master key rotated to"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "finished_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="NULL: not (yet) finished",
        ),
        sa.Column("rewrapped", sa.Integer(), nullable=False, comment="data keys wrapped again"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_rotations")),
    )


def downgrade() -> None:
    if op.get_bind().scalar(sa.text("SELECT count(*) FROM identifier_keys")):
        raise RuntimeError(
            "the master key has been rotated: without the identifier keys this revision keeps, "
            "no BSN would be found and no processing log would be shown; not downgraded"
        )
    op.drop_table("key_rotations")
    op.drop_table("identifier_keys")
