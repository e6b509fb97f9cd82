"""retention per data class: when what was written under a request went; voicemails kept in
the DAC's own store

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:00:00.000000

`requests.contents_purged_at` is the messages class's mark, as `pseudonymised_at` is the call
metadata's. A request pseudonymised before this revision had its messages, notes and
attachments removed at the same time: it gets the same instant.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): the tallies' triggers on `requests` stay in place.
    op.add_column(
        "requests",
        sa.Column(
            "contents_purged_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.execute("UPDATE requests SET contents_purged_at = pseudonymised_at")
    # Voicemails still at the provider keep their URL: the recordings job fetches them.
    op.add_column(
        "requests",
        sa.Column("recording_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column(
        "requests",
        sa.Column(
            "recording_fetched_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )


def downgrade() -> None:
    op.drop_column("requests", "recording_fetched_at")
    op.drop_column("requests", "recording_key")
    op.drop_column("requests", "contents_purged_at")
