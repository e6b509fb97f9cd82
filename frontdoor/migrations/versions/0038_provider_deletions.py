"""provider deletions: Twilio's records of erased or purged requests, to delete there

An erasure or a retention pass queues, in its own transaction, the Call and Message SIDs of
the requests it reaches; the twilio-records-deletion job deletes them at Twilio, then the
row goes. A row holds the SID, its kind, its department and the attempts: no number, no
text. A downgrade drops the queue: what it still held is then left at Twilio (its console
deletes it).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("queued_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("given_up_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department", "sid", name="uq_provider_deletions_department_sid"),
    )
    op.create_index(
        "ix_provider_deletions_given_up_next_attempt",
        "provider_deletions",
        ["given_up_at", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_provider_deletions_given_up_next_attempt", table_name="provider_deletions")
    op.drop_table("provider_deletions")
