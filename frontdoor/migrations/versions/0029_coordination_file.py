"""coordination file: the id the region's coordination tool gave a request handed over

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from frontdoor.store.types import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as 0027 (the indicator triggers on `requests`).
def upgrade() -> None:
    op.add_column(
        "requests",
        sa.Column(
            "coordination_file_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
    )
    op.add_column(
        "requests", sa.Column("coordination_file_at", UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("requests", "coordination_file_at")
    op.drop_column("requests", "coordination_file_id")
