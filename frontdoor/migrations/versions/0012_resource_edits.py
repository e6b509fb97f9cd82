"""resource edits: the directory's editors' journal

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resource_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resources.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("resource_edits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_edits_resource_id"), ["resource_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("resource_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_edits_resource_id"))

    op.drop_table("resource_edits")
