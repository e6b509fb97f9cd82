"""erasure traces: when a request was pseudonymised, which call or SMS a webhook answer is of

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 09:00:00.000000

`requests.pseudonymised_at` is left empty for the requests already pseudonymised: the next
retention pass takes each expired one again, once (idempotent), and removes what earlier
versions left (attachments, outbox rows, mail Message-IDs).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): the tallies' triggers on `requests` stay in place.
    op.add_column(
        "requests",
        sa.Column(
            "pseudonymised_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(
        "webhook_receipts",
        sa.Column("provider_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.create_index(
        "ix_webhook_receipts_provider_sid", "webhook_receipts", ["provider_sid"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_receipts_provider_sid", table_name="webhook_receipts")
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.drop_column("provider_sid")
    op.drop_column("requests", "pseudonymised_at")
