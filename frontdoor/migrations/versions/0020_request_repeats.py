"""request repeats: a request may be marked a repeat of an earlier request of the same
situation (requests.repeat_of), counted once as a sollicitation; the tally triggers set
repeats apart from the national measures and count them in a measure of their own

The tallies need no rebuild: no request stored before is a repeat, so each counts in the
same values as before, and in no repeat.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdoor.indicators.tally_triggers import drop_ddl, trigger_ddl

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_ddl(dialect):
        op.execute(statement)
    if dialect == "sqlite":
        # Plain ADD COLUMN (no batch copy): other tables refer to requests.
        op.execute("ALTER TABLE requests ADD COLUMN repeat_of INTEGER REFERENCES requests (id)")
    else:
        op.add_column("requests", sa.Column("repeat_of", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "requests", "requests", ["repeat_of"], ["id"])
    op.create_index(op.f("ix_requests_repeat_of"), "requests", ["repeat_of"], unique=False)
    for statement in trigger_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0020 keeps every repeat: restore the backup taken before it")
