"""identity status: the identity document checked and the INSi query of a person's file

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "persons",
        sa.Column("identity_document", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    )
    op.add_column("persons", sa.Column("identity_checked_on", sa.Date(), nullable=True))
    op.add_column("persons", sa.Column("insi_checked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("persons", "insi_checked_on")
    op.drop_column("persons", "identity_checked_on")
    op.drop_column("persons", "identity_document")
