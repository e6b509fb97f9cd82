"""request responses: several responses per request (request_responses: kind, when, by whom,
the directory resource an orientation names); each request's response_kinds kept from them by
triggers and counted by the tally triggers instead of the single response_type, which each
request carries over as one response row

The tallies need no rebuild: a request counts in the same response values as before (its
one kind, or "" when none was said).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types
from frontdoor.indicators.tally_triggers import (
    CALLBACK_TASKS,
    Measure,
    Source,
    drop_ddl,
    trigger_ddl,
)
from frontdoor.store.responses import kinds_trigger_ddl

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IS_REQUEST = "{r}.referrer_type NOT IN ('silent', 'test', 'wrong_number')"
_IS_VOICE_REQUEST = _IS_REQUEST + " AND {r}.channel = 'voice'"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"
# The requests' measures as this revision made them (0018 moved age bands and problems to
# the person tallies, 0020 set repeats apart): the columns read by today's triggers do not
# exist yet when this revision runs on a new database. A request counts once in each kind of
# response it got, and in "" while it has none.
REQUESTS_0017 = Source(
    table="requests",
    placed_by="received_at",
    columns_read=("department", "received_at", "referrer_type", "response_kinds", "age_band",
                  "channel", "outcome", "out_of_hours", "problems", "answered_at",
                  "caller_number", "contact_address"),
    measures=(
        Measure(name="referrer", value="{r}.referrer_type", counts="1 = 1"),
        Measure(name="response", value="''", counts=_IS_REQUEST + " AND {empty:response_kinds}"),
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
    lists=(("problem", "problems"), ("response", "response_kinds")),
    lists_count=_IS_REQUEST,
)  # fmt: skip
SOURCES_0017 = (REQUESTS_0017, CALLBACK_TASKS)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_ddl(dialect, SOURCES_0017):
        op.execute(statement)
    op.create_table(
        "request_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("at", frontdoor.store.types.UTCDateTime(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("resource_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("request_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_responses_request_id"), ["request_id"], unique=False
        )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_kinds", sa.JSON(), nullable=True))
    # Each request's response, as one row: when it was recorded is not known, the request's
    # closing (or arrival) stands for it; by whom neither.
    op.execute(
        "INSERT INTO request_responses (request_id, kind, at) "
        "SELECT id, response_type, coalesce(closed_at, received_at) FROM requests "
        "WHERE response_type IS NOT NULL ORDER BY id"
    )
    empty = "'[]'" if dialect == "sqlite" else "'[]'::json"
    listed = "json_array(response_type)"
    if dialect == "postgresql":
        listed = "json_build_array(response_type)"
    op.execute(
        f"UPDATE requests SET response_kinds = CASE WHEN response_type IS NULL THEN {empty} "
        f"ELSE {listed} END"
    )
    # SQLite drops the column in place (3.35+): a batch copy of requests would drop the
    # table its other tables refer to, which foreign keys refuse.
    op.execute("ALTER TABLE requests DROP COLUMN response_type")
    for statement in [*kinds_trigger_ddl(dialect), *trigger_ddl(dialect, SOURCES_0017)]:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0017 keeps every response: restore the backup taken before it")
