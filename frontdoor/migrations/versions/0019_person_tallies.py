"""person tallies: indicators 4 and 5 count distinct persons accompanied, not requests

The request-level measures "age_band", "problem" and "without_problem" go (tallies and
changes not folded yet alike); the triggers of `requests` are made again without them, and
the person triggers (frontdoor.indicators.person_tallies) are made on `requests`,
`request_persons` and `persons`; every request, link and person already stored is written
as changes, which the indicator-tallies job folds. Requests stay as they are.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from frontdoor.indicators import person_tallies, tally_triggers

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_REQUEST = "('age_band', 'problem', 'without_problem')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tally_triggers.drop_ddl(dialect):
        op.execute(statement)
    for table in ("request_tally_changes", "request_tallies"):
        op.execute(f"DELETE FROM {table} WHERE measure IN {_PER_REQUEST}")
    for statement in tally_triggers.trigger_ddl(dialect) + person_tallies.trigger_ddl(dialect):
        op.execute(statement)
    for statement in person_tallies.backfill_sql(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in person_tallies.drop_ddl(dialect):
        op.execute(statement)
    op.execute("DELETE FROM request_tally_changes WHERE measure LIKE 'person.%'")
    op.execute("DELETE FROM request_tally_changes WHERE measure LIKE 'unidentified.%'")
    op.execute("DELETE FROM request_tallies WHERE measure LIKE 'person.%'")
    op.execute("DELETE FROM request_tallies WHERE measure LIKE 'unidentified.%'")
