"""queue waits: how long a call waited in its department's queue, and whether it was abandoned

Who is on a call and who waits are read from the recent events of a few kinds
(frontdoor.store.waiting): indexed by kind and time.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite adds and drops a column without rebuilding
# the table, which the indicator triggers on `requests` would refuse).
def upgrade() -> None:
    op.add_column("requests", sa.Column("queue_wait_s", sa.Integer(), nullable=True))
    op.add_column("requests", sa.Column("queue_abandoned", sa.Boolean(), nullable=True))
    op.create_index("ix_request_events_kind_at", "request_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_request_events_kind_at", table_name="request_events")
    op.drop_column("requests", "queue_abandoned")
    op.drop_column("requests", "queue_wait_s")
