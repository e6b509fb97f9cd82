"""resource finess: the structure's FINESS number on resources imported from FINESS or the ROR

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 14:00:00.000000

Numbered 0033 as given to this change; it follows 0030, the last revision when it was
written (0031 and 0032 are other changes': whoever merges them chains them in order).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "resources",
        sa.Column("finess", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
    )
    op.create_index(op.f("ix_resources_finess"), "resources", ["finess"], unique=False)
    # What earlier imports knew already: a FINESS resource is identified by its number.
    op.execute("UPDATE resources SET finess = source_id WHERE source = 'finess'")


def downgrade() -> None:
    op.drop_index(op.f("ix_resources_finess"), table_name="resources")
    op.drop_column("resources", "finess")
