"""triggers skip idle statements: an update that changes nothing a trigger reads runs nothing

On PostgreSQL, the statement triggers of the indicator tallies (requests, callback tasks), of
the persons accompanied and of the outgoing events are made again from today's sources
(frontdoor.store.statement_triggers `only_if`). An update none of whose rows changed a column
a trigger reads, or an event trigger while no subscription is active, now returns before
the trigger's statement: that statement wrote nothing for it anyway, but PostgreSQL still ran
it, a dozen SELECTs, at every webhook that updates its call. The triggers write what they
wrote before; nothing is counted again. SQLite's row triggers already skip by their WHEN.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-08 00:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from frontdoor.events import triggers as event_triggers
from frontdoor.indicators import person_tallies, tally_triggers

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FAMILIES = (
    (tally_triggers.drop_ddl, tally_triggers.trigger_ddl),
    (person_tallies.drop_ddl, person_tallies.trigger_ddl),
    (event_triggers.drop_ddl, event_triggers.trigger_ddl),
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
    # the ones that skip idle statements.
    pass
