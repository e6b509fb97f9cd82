"""indicator tallies: changes written by triggers, folded per local month

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from frontdoor.indicators.tally_triggers import (
    CALLBACK_TASKS,
    Measure,
    Source,
    backfill_sql,
    drop_ddl,
    trigger_ddl,
)

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_IS_REQUEST = "{r}.referrer_type NOT IN ('silent', 'test', 'wrong_number')"
_IS_VOICE_REQUEST = _IS_REQUEST + " AND {r}.channel = 'voice'"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"
# The requests' measures as this revision made them (0017 and 0018 changed them): the columns read
# by today's triggers do not exist yet when this revision runs on a new database.
REQUESTS_0009 = Source(
    table="requests",
    placed_by="received_at",
    columns_read=("department", "received_at", "referrer_type", "response_type", "age_band",
                  "channel", "outcome", "out_of_hours", "problems", "answered_at",
                  "caller_number", "contact_address"),
    measures=(
        Measure(name="referrer", value="{r}.referrer_type", counts="1 = 1"),
        Measure(name="response", value="coalesce({r}.response_type, '')", counts=_IS_REQUEST),
        Measure(name="age_band", value="coalesce({r}.age_band, '')", counts=_IS_REQUEST),
        Measure(name="channel", value="{r}.channel", counts=_IS_REQUEST),
        Measure(name="voice_outcome", value="{r}.outcome", counts=_IS_VOICE_REQUEST),
        Measure(name="out_of_hours", value="''", counts=_IS_REQUEST + " AND {r}.out_of_hours"),
        Measure(name="request", value="''", counts=_IS_REQUEST),
        Measure(name="wait", value="CAST({epoch:answered_at} - {epoch:received_at} AS TEXT)",
                counts=_IS_VOICE_REQUEST + " AND {r}.answered_at IS NOT NULL"),
        Measure(name="gp_contact", value=_GP_CONTACT,
                counts="{r}.referrer_type = 'gp' AND " + _GP_CONTACT + " IS NOT NULL"),
        Measure(name="without_problem", value="''", counts=_IS_REQUEST + " AND {empty:problems}"),
    ),
    lists=(("problem", "problems"),),
)  # fmt: skip
SOURCES_0009 = (REQUESTS_0009, CALLBACK_TASKS)


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
    for statement in trigger_ddl(dialect, SOURCES_0009):
        op.execute(statement)
    # The requests and tasks already stored, as changes: the indicator-tallies job folds them.
    for statement in backfill_sql(dialect, SOURCES_0009):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_ddl(op.get_bind().dialect.name, SOURCES_0009):
        op.execute(statement)
    op.drop_table("request_tallies")
    op.drop_index("ix_request_tally_changes_department_minute", table_name="request_tally_changes")
    op.drop_table("request_tally_changes")
