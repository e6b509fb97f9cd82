"""rpps contacts: known contacts imported from the Annuaire Santé's extraction

A contact the RPPS import made carries its profession (the extraction's label) and where it
comes from; once a coordinator edits it, the next import leaves it as edited.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "known_contacts",
        sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column(
        "known_contacts",
        sa.Column("imported_from", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    op.add_column(
        "known_contacts",
        sa.Column("edited_locally", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("known_contacts", "edited_locally")
    op.drop_column("known_contacts", "imported_from")
    op.drop_column("known_contacts", "profession")
