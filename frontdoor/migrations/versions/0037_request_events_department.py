"""request events' department: a ring reads its own department's recent events only

Who is on a call and who waits (store.waiting) was read from the recent events of every
department the instance serves, each then looked up to its request to keep the department's:
on an instance serving a region, every ring of one department paid for the others' calls.
Each event now carries its request's department (which never changes), filled here for the
events already stored, and the read starts from the department's own, by an index that
replaces the one by kind and time (0027), which only that read used: an event costs no more
index to write than before.

The writers that have the request at hand set it; a trigger fills it from the request for
the others, so that no event is left out of its department's line.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OF_ITS_REQUEST = "(SELECT department FROM requests WHERE requests.id = {row}.request_id)"
_SQLITE_TRIGGER = f"""
CREATE TRIGGER request_events_department AFTER INSERT ON request_events
FOR EACH ROW WHEN NEW.department IS NULL
BEGIN
  UPDATE request_events SET department = {_OF_ITS_REQUEST.format(row="NEW")} WHERE id = NEW.id;
END
"""
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION request_events_department() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.department := {_OF_ITS_REQUEST.format(row="NEW")};
  RETURN NEW;
END
$$
"""
_POSTGRES_TRIGGER = """
CREATE TRIGGER request_events_department BEFORE INSERT ON request_events
FOR EACH ROW WHEN (NEW.department IS NULL) EXECUTE FUNCTION request_events_department()
"""


def upgrade() -> None:
    op.add_column(
        "request_events",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    )
    op.execute(
        "UPDATE request_events SET department = " + _OF_ITS_REQUEST.format(row="request_events")
    )
    op.create_index(
        "ix_request_events_department_kind_at", "request_events", ["department", "kind", "at"]
    )
    op.drop_index("ix_request_events_kind_at", table_name="request_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS request_events_department ON request_events")
        op.execute("DROP FUNCTION IF EXISTS request_events_department()")
    else:
        op.execute("DROP TRIGGER IF EXISTS request_events_department")
    op.create_index("ix_request_events_kind_at", "request_events", ["kind", "at"])
    op.drop_index("ix_request_events_department_kind_at", table_name="request_events")
    op.drop_column("request_events", "department")
