"""callbacks jobs overrides

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:30:24.443102
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("slot", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("started_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "slot"),
    )
    op.create_table(
        "roster_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("starts", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("referent_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("instead_of", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_overrides_department"), ["department"], unique=False
        )

    op.create_table(
        "callback_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assignees", sa.JSON(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("closed_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("escalated_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("calls_placed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_tasks_department"), ["department"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_callback_tasks_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_tasks_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_callback_tasks_due_at"))
        batch_op.drop_index(batch_op.f("ix_callback_tasks_department"))

    op.drop_table("callback_tasks")
    with op.batch_alter_table("roster_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_overrides_department"))

    op.drop_table("roster_overrides")
    op.drop_table("job_runs")
