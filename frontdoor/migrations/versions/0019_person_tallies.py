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
from frontdoor.indicators.tally_triggers import CALLBACK_TASKS, Measure, Source

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_REQUEST = "('age_band', 'problem', 'without_problem')"

_IS_REQUEST = "{r}.referrer_type NOT IN ('silent', 'test', 'wrong_number')"
_IS_VOICE_REQUEST = _IS_REQUEST + " AND {r}.channel = 'voice'"
_IS_SOLLICITATION = _IS_REQUEST + " AND {r}.repeat_of IS NULL"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"
# The requests' measures as this revision made them (0030 added the queue's): the queue's
# columns do not exist yet when it runs.
REQUESTS_0019 = Source(
    table="requests",
    placed_by="received_at",
    columns_read=("department", "received_at", "referrer_type", "response_kinds", "channel",
                  "outcome", "out_of_hours", "answered_at", "caller_number", "contact_address",
                  "repeat_of"),
    measures=(
        Measure(name="referrer", value="{r}.referrer_type",
                counts="{r}.repeat_of IS NULL OR NOT (" + _IS_REQUEST + ")"),
        Measure(name="response", value="''",
                counts=_IS_SOLLICITATION + " AND {empty:response_kinds}"),
        Measure(name="repeat", value="''", counts=_IS_REQUEST + " AND {r}.repeat_of IS NOT NULL"),
        Measure(name="channel", value="{r}.channel", counts=_IS_REQUEST),
        Measure(name="voice_outcome", value="{r}.outcome", counts=_IS_VOICE_REQUEST),
        Measure(name="out_of_hours", value="''", counts=_IS_REQUEST + " AND {r}.out_of_hours"),
        Measure(name="request", value="''", counts=_IS_REQUEST),
        Measure(name="wait", value="CAST({epoch:answered_at} - {epoch:received_at} AS TEXT)",
                counts=_IS_VOICE_REQUEST + " AND {r}.answered_at IS NOT NULL"),
        Measure(name="gp_contact", value=_GP_CONTACT,
                counts="{r}.referrer_type = 'gp' AND " + _GP_CONTACT + " IS NOT NULL"),
    ),
    lists=(("response", "response_kinds"),),
    lists_count=_IS_SOLLICITATION,
)  # fmt: skip
SOURCES_0019 = (REQUESTS_0019, CALLBACK_TASKS)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tally_triggers.drop_ddl(dialect, SOURCES_0019):
        op.execute(statement)
    for table in ("request_tally_changes", "request_tallies"):
        op.execute(f"DELETE FROM {table} WHERE measure IN {_PER_REQUEST}")
    triggers = tally_triggers.trigger_ddl(dialect, SOURCES_0019)
    for statement in triggers + person_tallies.trigger_ddl(dialect):
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
