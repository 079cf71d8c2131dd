"""The processing log's tables keep their rows in fewer b-trees, so that a logged read writes
fewer pages (from 12 to about 8 on SQLite, benchmarks/vault_read.py):

* `audit_records` loses its index on `user_id`: no query looks audit records up by user, and
  keeping an index in users' order up to date cost every logged read one to two pages.
* On SQLite, the sequence numbers of `log_records` and `audit_records` become INTEGER primary
  keys (SQLite's row ids, instead of a BIGINT with a unique index of its own beside the table)
  and `ledger_nodes` becomes a WITHOUT ROWID table (its rows kept in the order of their key,
  with no second b-tree). PostgreSQL stores tables differently; there the columns stay as
  they are. The values stay the same everywhere.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_audit_records_user_id", table_name="audit_records")
    _rebuild(sa.BigInteger(), sa.Integer(), with_rowid=False)


def downgrade() -> None:
    _rebuild(sa.Integer(), sa.BigInteger(), with_rowid=True)
    op.create_index("ix_audit_records_user_id", "audit_records", ["user_id"], unique=False)


def _rebuild(
    old: sa.types.TypeEngine[int], new: sa.types.TypeEngine[int], *, with_rowid: bool
) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # `datameent.store.migrate` runs SQLite revisions with foreign keys off (a table that
    # others refer to cannot be rebuilt otherwise) and checks them all afterwards.
    for table in ("log_records", "audit_records"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column("seq", type_=new, existing_type=old, existing_nullable=False)
    with op.batch_alter_table(
        "ledger_nodes", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass
