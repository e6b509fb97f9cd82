"""follow-ups of orientations: one per orientation response, due on a day, optionally given
to a referent, closed with an outcome (core.follow_ups); beside callback_tasks, so that no
tally trigger counts them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_to", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("closed_at", frontdoor.store.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("earlier", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["request_responses.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id"),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_ups_department_due", ["department", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_ups_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_table("follow_ups")
