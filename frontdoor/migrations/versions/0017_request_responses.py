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
from frontdoor.indicators.tally_triggers import drop_ddl, trigger_ddl
from frontdoor.store.responses import kinds_trigger_ddl

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_ddl(dialect):
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
    for statement in [*kinds_trigger_ddl(dialect), *trigger_ddl(dialect)]:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0017 keeps every response: restore the backup taken before it")
