"""indicator tallies: changes written by triggers, folded per local month

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from frontdoor.indicators.tally_triggers import backfill_sql, drop_ddl, trigger_ddl

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_tally_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_request_tally_changes_department_minute",
        "request_tally_changes",
        ["department", "minute"],
        unique=False,
    )
    op.create_table(
        "request_tallies",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department", "month", "measure", "value"),
    )
    dialect = op.get_bind().dialect.name
    for statement in trigger_ddl(dialect):
        op.execute(statement)
    # The requests and tasks already stored, as changes: the indicator-tallies job folds them.
    for statement in backfill_sql(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("request_tallies")
    op.drop_index("ix_request_tally_changes_department_minute", table_name="request_tally_changes")
    op.drop_table("request_tally_changes")
