"""notice budgets: how many notices each recipient was sent lately, and how many held back

A flood of contacts from many senders (SMS, mails, voicemails) made one SMS per contact to
each referent on duty. Each department's recipients now have a budget (core.notice_budget),
kept here so that every instance sharing the database spends the same one: the notices sent
within the window, and those held back for the next summary. Times and counts only.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_budgets",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent", sa.JSON(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("held_since", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("department", "recipient"),
    )


def downgrade() -> None:
    op.drop_table("notice_budgets")
