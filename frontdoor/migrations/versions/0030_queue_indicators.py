"""queue indicators: the calls that waited in the queue, how long, and those abandoned there

The triggers of `requests` are made again with two more measures, "queue_wait" (the whole
seconds a call waited in its department's queue, requests.queue_wait_s) and
"queue_abandoned" (requests.queue_abandoned); the requests already stored are written as
changes of these two measures only, which the indicator-tallies job folds.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence
from dataclasses import replace

from alembic import op

from frontdoor.indicators import tally_triggers
from frontdoor.indicators.tally_triggers import CALLBACK_TASKS, REQUESTS, Source

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUEUE = ("queue_wait", "queue_abandoned")
_QUEUE_LIST = "(" + ", ".join(f"'{name}'" for name in _QUEUE) + ")"
# Only the new measures, for the requests stored before this revision.
_QUEUE_ONLY = Source(
    table=REQUESTS.table,
    placed_by=REQUESTS.placed_by,
    columns_read=REQUESTS.columns_read,
    measures=tuple(m for m in REQUESTS.measures if m.name in _QUEUE),
)
# The requests' measures of revision 0029 (what a downgrade makes again).
_WITHOUT_QUEUE = replace(
    REQUESTS,
    columns_read=tuple(c for c in REQUESTS.columns_read if not c.startswith("queue_")),
    measures=tuple(m for m in REQUESTS.measures if m.name not in _QUEUE),
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tally_triggers.drop_ddl(dialect):
        op.execute(statement)
    for statement in tally_triggers.trigger_ddl(dialect):
        op.execute(statement)
    for statement in tally_triggers.backfill_sql(dialect, (_QUEUE_ONLY,)):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tally_triggers.drop_ddl(dialect):
        op.execute(statement)
    for table in ("request_tally_changes", "request_tallies"):
        op.execute(f"DELETE FROM {table} WHERE measure IN {_QUEUE_LIST}")
    for statement in tally_triggers.trigger_ddl(dialect, (_WITHOUT_QUEUE, CALLBACK_TASKS)):
        op.execute(statement)
