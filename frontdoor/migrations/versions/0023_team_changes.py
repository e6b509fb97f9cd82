"""team changes: referents added, removed or given another number, and closures of the line,
made in the console and laid over the department file by every instance (core.team)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "team_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", text(length=40), nullable=False),
        sa.Column("kind", text(length=20), nullable=False),
        sa.Column("referent_id", text(length=60), nullable=True),
        sa.Column("name", text(length=120), nullable=True),
        sa.Column("phone", text(length=20), nullable=True),
        sa.Column("file_said", text(length=200), nullable=True),
        sa.Column("before", text(length=200), nullable=True),
        sa.Column("starts", frontdoor.store.types.UTCDateTime(), nullable=True),
        sa.Column("ends", frontdoor.store.types.UTCDateTime(), nullable=True),
        sa.Column("reason", text(length=200), nullable=True),
        sa.Column("closure_change_id", sa.Integer(), nullable=True),
        sa.Column("created_by", text(length=120), nullable=False),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("team_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_changes_department"), ["department"])


def downgrade() -> None:
    op.drop_table("team_changes")
