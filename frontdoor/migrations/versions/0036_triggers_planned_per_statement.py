"""triggers planned per statement: a bulk write no longer runs on a plan made for one row

On PostgreSQL, the statement triggers of the indicator tallies (requests, callback tasks),
of the persons accompanied, of the outgoing events and of the responses' kinds are made
again from today's sources (frontdoor.store.statement_triggers). A statement of many rows is
now planned for its own rows, not run on the plan the session made at its first call, which
may have been for one row. The triggers write what they wrote before; nothing is counted
again. SQLite's row triggers are left as they are.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from frontdoor.events import triggers as event_triggers
from frontdoor.indicators import person_tallies, tally_triggers
from frontdoor.store.responses import kinds_drop_ddl, kinds_trigger_ddl

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FAMILIES = (
    (tally_triggers.drop_ddl, tally_triggers.trigger_ddl),
    (person_tallies.drop_ddl, person_tallies.trigger_ddl),
    (event_triggers.drop_ddl, event_triggers.trigger_ddl),
    (kinds_drop_ddl, kinds_trigger_ddl),
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect != "postgresql":
        return
    for drop, create in _FAMILIES:
        for statement in [*drop(dialect), *create(dialect)]:
            op.execute(statement)


def downgrade() -> None:
    # The triggers write the same changes on either side of this revision: a downgrade keeps
    # the ones planned per statement rather than bring back the slow plans.
    pass
